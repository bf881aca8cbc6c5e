import { SnekError } from '@snek/core';
import { commandContext, printJson, type GlobalArgs } from '../context.js';
import { checkIdArgument } from '../id-suggestions.js';
import { usageError } from '../usage.js';

export interface RestoreArgs extends GlobalArgs {
  id?: string | undefined;
  seq?: string | undefined;
}

/**
 * `snek restore ID SEQ`: makes that revision current again. It sends If-Match with the ETag of the snek as it is now
 * (If-None-Match: * when it is deleted), so a change that lands in between is never overwritten unseen.
 */
export async function restore(args: RestoreArgs): Promise<void> {
  const missing = [args.id === undefined && 'ID', args.seq === undefined && 'SEQ'].filter((m) => m !== false);
  if (missing.length) throw usageError('restore', `the ${missing.join(' and the ')} of the revision to restore (snek log ID lists them)`);
  const id = args.id!;
  const seq = /^[1-9]\d{0,15}$/.test(args.seq!) ? Number(args.seq) : NaN;
  if (!Number.isSafeInteger(seq)) throw new SnekError('USAGE', `SEQ must be a revision's number, as snek log ${id} lists them, not "${args.seq}"`);
  const { client } = await commandContext(args);
  await checkIdArgument(client, id);
  const current = await client.getTagged(id);
  const preconditions: Record<string, string> = current ? (current.etag ? { 'if-match': current.etag } : {}) : { 'if-none-match': '*' };
  let created: boolean;
  try {
    created = await client.restore(id, seq, preconditions);
  } catch (error) {
    if (SnekError.hasCode(error, 'PRECONDITION_FAILED')) {
      throw new SnekError('PRECONDITION_FAILED', `"${id}" changed while it was being restored, so nothing was restored. Run snek log ${id} to see the change, then snek restore again`, { details: error.details ?? {} });
    }
    throw error;
  }
  if (args.json) return printJson({ id, seq, restored: true, created });
  process.stdout.write(`restored ${id} to revision ${seq}\n`);
}
