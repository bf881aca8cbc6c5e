import pg from 'pg';
import { nameColumns } from './name-columns.js';
import { SnekError, changesToReplay, checkReplayBatch, seqsAtOrBelow, type Change, type LoggedAt } from '@snek/core';

const { escapeLiteral } = pg;

/**
 * The statements of replayChanges, for one escaped schema. The order within its transaction is that of every other
 * write, snek rows first and the counter after them, so a replay and a put never wait on each other in a cycle.
 */
export function replayStatements(schema: string, log: { keep: number; channel: string }) {
  const changes = `${schema}.changes`;
  return {
    newest: `SELECT seq FROM ${schema}.change_counter`,
    logged: `SELECT seq, id, op, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM ${changes} WHERE seq = ANY($1::bigint[])`,
    upsert: `INSERT INTO ${schema}.sneks (id, name, type, content, name_key, name_folded) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, content = excluded.content, name_key = excluded.name_key, name_folded = excluded.name_folded`,
    delete: `DELETE FROM ${schema}.sneks WHERE id = ANY($1::text[])`,
    // Taken after the snek rows and held until commit: no other writer takes a seq meanwhile.
    lockCounter: `SELECT seq FROM ${schema}.change_counter FOR UPDATE`,
    insert: `INSERT INTO ${changes} (seq, id, op, name, type, content, actor, at)
      SELECT c.seq, c.id, c.op, c.name, c.type, c.content, c.actor::jsonb, c.at::timestamptz
      FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS c (seq, id, op, name, type, content, actor, at)`,
    prune: `DELETE FROM ${changes} old USING (SELECT DISTINCT unnest($1::text[]) AS id) w
      WHERE old.id = w.id AND old.seq <= (SELECT k.seq FROM ${changes} k WHERE k.id = w.id ORDER BY k.seq DESC OFFSET ${log.keep} LIMIT 1)`,
    // The notification goes out at commit, so other servers' tails read the replayed changes as any other write's.
    bump: `UPDATE ${schema}.change_counter SET seq = greatest(seq, $1::bigint) RETURNING pg_notify(${escapeLiteral(log.channel)}, seq::text)`,
  };
}

export type ReplayStatements = ReturnType<typeof replayStatements>;

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Runs inside the caller's transaction: a throw rolls the whole batch back. */
export async function replayInto(client: pg.ClientBase, sql: ReplayStatements, changes: readonly Change[]): Promise<void> {
  checkReplayBatch(changes, 'postgres');
  if (changes.length === 0) return;
  const newest = Number((await client.query<{ seq: string }>(sql.newest)).rows[0]!.seq);
  const seqs = seqsAtOrBelow(changes, newest);
  const logged = seqs.length === 0 ? [] : (await client.query<{ seq: string; id: string; op: Change['op']; at: string }>(sql.logged, [seqs])).rows.map((row): LoggedAt => ({ ...row, seq: Number(row.seq) }));
  const fresh = changesToReplay(changes, newest, logged, 'postgres');
  if (fresh.length === 0) return;
  // As for bulk writes (postgres-store.ts): the planner prices retention's walk over thousands of ids past
  // jit_above_cost, and compiling it would take longer than running it.
  await client.query('SET LOCAL jit = off');
  // Each id ends as its last change left it; rows go in id order, as every bulk write locks them.
  const last = new Map<string, Change>();
  for (const change of fresh) last.set(change.id, change);
  const ids = [...last.keys()].sort(byId);
  const puts = ids.filter((id) => last.get(id)!.op === 'put').map((id) => last.get(id)!.snek!);
  const deletes = ids.filter((id) => last.get(id)!.op === 'delete');
  const names = puts.map((s) => nameColumns(s.name));
  if (puts.length) await client.query(sql.upsert, [puts.map((s) => s.id), puts.map((s) => s.name), puts.map((s) => s.type), puts.map((s) => s.content), names.map((n) => n.key), names.map((n) => n.folded)]);
  if (deletes.length) await client.query(sql.delete, [deletes]);
  const counter = Number((await client.query<{ seq: string }>(sql.lockCounter)).rows[0]!.seq);
  if (counter >= fresh[0]!.seq) {
    throw new SnekError('REPLAY_CONFLICT', `The postgres store took seq ${counter} for a write of its own while seq ${fresh[0]!.seq} was being replayed into it; nothing of the batch was written. Stop writing to it until the replay has caught up.`);
  }
  await client.query(sql.insert, [
    fresh.map((c) => c.seq),
    fresh.map((c) => c.id),
    fresh.map((c) => c.op),
    fresh.map((c) => c.snek?.name ?? null),
    fresh.map((c) => c.snek?.type ?? null),
    fresh.map((c) => c.snek?.content ?? null),
    fresh.map((c) => (c.actor ? JSON.stringify(c.actor) : null)),
    fresh.map((c) => c.at),
  ]);
  await client.query(sql.prune, [ids]);
  await client.query(sql.bump, [fresh.at(-1)!.seq]);
}
