import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { compareRanks, compareSortPositions, foldCase, naturalKey, naturalKeyOfFolded, prepareSearch, rankSneks, sortPosition, type Snek, type SnekSort } from '@snek/core';
import { browseSql } from '../src/browse.js';
import { openConnection, type SqliteDriverName } from '../src/driver.js';
import { nameKeyRanges } from '../src/name-key-ranges.js';
import { MIGRATIONS, SqliteSnekStore, type SearchLimits } from '../src/index.js';
import { rawDatabase } from './helpers/raw-database.js';
import { usable } from './helpers/usable-driver.js';

const TYPE_WRITER = fileURLToPath(new URL('./helpers/type-writer.mjs', import.meta.url));

const DRIVERS = { 'node:sqlite': await usable('node:sqlite'), 'better-sqlite3': await usable('better-sqlite3') };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'snek-sqlite-search-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const NAMES = ['Snek 10', 'Snek 2', 'snek 007', 'Straße', 'ΣΊΣΥΦΟΣ', '100% "quoted"', 'a_b back\\slash', '🐍 Nagini', '日本語', 'Snek numbr 7', 'Émile'];
const sneks: Snek[] = NAMES.map((name, i) => ({ id: `s${i}`, name, type: ['cute', 'plain'][i % 2]!, content: `~${i}` }));

describe('the sqlite search index', () => {
  // Skipped for a driver that does not load on this Node (Node 20 has no node:sqlite; better-sqlite3 is built for one Node).
  it.each((['node:sqlite', 'better-sqlite3'] as const).filter((driver) => DRIVERS[driver]))('%s has FTS5 with the trigram tokenizer, case-sensitive', async (driver) => {
    const db = await openConnection(':memory:', driver);
    db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize = 'trigram case_sensitive 1', detail = 'none'); INSERT INTO t (rowid, text) VALUES (1, 'snek number 7'), (2, 'SNEK')");
    expect(db.prepare('SELECT rowid FROM t WHERE t MATCH ?').all('"sne" AND "nek"').map((row) => Number(row['rowid']))).toEqual([1]);
    db.close();
  });
  for (const driver of (['node:sqlite', 'better-sqlite3'] as const).filter((name) => !DRIVERS[name])) {
    it.skip(`${driver} has FTS5 with the trigram tokenizer — skipped: ${driver} does not load on Node ${process.versions.node}`, () => {});
  }

  it('upgrades a schema-4 file with sneks and history: counts, browse and search see every old snek, and later writes keep them', async () => {
    const file = path.join(root, 'v4.db');
    const old = await rawDatabase(file);
    for (const step of MIGRATIONS.slice(0, 4)) old.exec(step as string);
    const insert = old.prepare('INSERT INTO sneks (id, name, type, content) VALUES (@id, @name, @type, @content)');
    const change = old.prepare("INSERT INTO changes (id, op, name, type, content, at) VALUES (@id, 'put', @name, @type, @content, '2026-01-01T00:00:00.000Z')");
    for (const snek of sneks) insert.run({ ...snek });
    // Every snek but the last has history; s3 was written twice, so its newest change is the last one.
    for (const snek of [...sneks.slice(0, -1), sneks[3]!]) change.run({ ...snek });
    old.exec('PRAGMA user_version = 4');
    old.close();

    const store = await SqliteSnekStore.open(file);
    try {
      expect(await store.countTypes()).toEqual([{ type: 'cute', count: 6 }, { type: 'plain', count: 5 }]);
      const seqs = new Map((await store.latestChanges(sneks.map((snek) => snek.id))).map((entry) => [entry.id, entry.seq]));
      expect(seqs.get('s3')).toBe(sneks.length);
      for (const sort of ['id', 'name', 'updated'] as SnekSort[]) {
        const expected = sneks.map((snek) => ({ id: snek.id, position: sortPosition(sort, snek, seqs.get(snek.id) ?? 0) })).sort((a, b) => compareSortPositions(sort, a.position, b.position));
        const page = await store.browse({ sort, limit: 100 });
        expect(page.items.map((item) => ({ id: item.snek.id, position: item.position }))).toEqual(expected);
      }
      for (const q of ['snek', 'strasse', 'σίσυφος', '"', '%', '_', '\\', 'nagini', '日本', 'snek number 7', 's1']) {
        const expected = rankSneks(sneks, prepareSearch(q)).map(({ snek, rank }) => ({ id: snek.id, rank }));
        expect((await store.search({ q, limit: 100 })).items.map((item) => ({ id: item.snek.id, rank: item.rank }))).toEqual(expected);
      }
      await store.put({ id: 's0', name: 'Renamed', type: 'fancy', content: 'x' });
      await store.delete('s1');
      expect(await store.countTypes()).toEqual([{ type: 'cute', count: 5 }, { type: 'fancy', count: 1 }, { type: 'plain', count: 4 }]);
      expect((await store.search({ q: 'snek 10', limit: 10 })).items.map((item) => item.snek.id)).not.toContain('s0');
      expect((await store.search({ q: 'renamed', limit: 10 })).items.map((item) => item.snek.id)).toEqual(['s0']);
    } finally {
      await store.close();
    }
  });

  it('answers hostile text without an error, as rankSneks does', async () => {
    const store = await SqliteSnekStore.open(path.join(root, 'hostile.db'));
    try {
      for (const snek of sneks) await store.put(snek);
      for (const q of ['"', '""', '" OR "', 'NEAR(a b)', 'a* ^b', '%_%', "'; DROP TABLE sneks; --", 'x'.repeat(100), '\u{10ffff}', 'snek 0', 'snek 00', '007']) {
        const expected = rankSneks(sneks, prepareSearch(q)).map(({ snek, rank }) => ({ id: snek.id, rank }));
        expect((await store.search({ q, limit: 100 })).items.map((item) => ({ id: item.snek.id, rank: item.rank }))).toEqual(expected);
      }
    } finally {
      await store.close();
    }
  });

  it('keeps the counts per type exact with two processes writing one file', async () => {
    const file = path.join(root, 'shared.db');
    await (await SqliteSnekStore.open(file)).close();
    const codes = await Promise.all([1, 2].map(() => new Promise<number | null>((resolve) => spawn(process.execPath, [TYPE_WRITER, file, '150'], { stdio: 'inherit' }).on('exit', resolve))));
    expect(codes).toEqual([0, 0]);
    const store = await SqliteSnekStore.open(file);
    const db = await rawDatabase(file, { readonly: true });
    try {
      const counted = db.prepare('SELECT type, count(*) AS count FROM sneks GROUP BY type ORDER BY type').all().map((row) => ({ type: row['type'], count: Number(row['count']) }));
      expect(counted.length).toBeGreaterThan(1);
      expect(await store.countTypes()).toEqual(counted);
      const all = (await store.list({ limit: 500 })).items;
      for (const q of ['racer', 'racer 1', 't-1']) {
        expect((await store.search({ q, limit: 500 })).items.map((item) => item.snek.id)).toEqual(rankSneks(all, prepareSearch(q)).map(({ snek }) => snek.id));
      }
    } finally {
      db.close();
      await store.close();
    }
  });

  it('reads every browse page from an index in its order, with no sort step', async () => {
    const store = await SqliteSnekStore.open(path.join(root, 'plans.db'));
    await store.put(sneks[0]!);
    await store.close();
    const db = await rawDatabase(path.join(root, 'plans.db'), { readonly: true });
    for (const sort of ['id', 'name', 'updated'] as const) {
      for (const typed of [false, true]) {
        for (const from of ['start', 'after', 'before'] as const) {
          const params: Record<string, string | number> = { n: 1, ...(typed ? { type: 't' } : {}), ...(from === 'start' ? {} : { id: 'x', ...(sort === 'id' ? {} : { key: sort === 'name' ? 'k' : 5 }) }) };
          const plan = db.prepare(`EXPLAIN QUERY PLAN ${browseSql(sort, typed, from)}`).all(params).map((row) => row['detail']).join(' | ');
          expect(plan).not.toContain('TEMP B-TREE');
          if (sort !== 'id') expect(plan).toContain(typed ? (sort === 'name' ? 'sneks_type_name_key_id' : 'sneks_type_updated_id') : sort === 'name' ? 'sneks_name_key_id' : 'sneks_updated_id');
        }
      }
    }
    db.close();
  });

  it('finds every name that starts with a text in the name-key ranges of that text', () => {
    const names = ['Snek 7', 'Snek 70', 'snek 007', 'Snek 0', 'Snek 12 b', 'Snek 120', 'Snek 1', 'Straße 5', 'x'.repeat(100), '1'.repeat(100)];
    for (const name of names) expect(naturalKeyOfFolded(foldCase(name))).toBe(naturalKey(name));
    for (const q of ['snek 7', 'snek 00', 'snek 0', 'snek 1', 'snek 12', 'snek ', 'stras', '1', '11']) {
      const ranges = nameKeyRanges(q);
      for (const name of names.filter((candidate) => foldCase(candidate).startsWith(q))) {
        const key = naturalKey(name);
        expect(ranges.some((range) => key >= range.from && (range.to === undefined || key < range.to))).toBe(true);
      }
    }
  });

  it('keeps its trigram counts only while the file is unchanged: a search sees what this store, another on the file, or a bulk load wrote since', async () => {
    const file = path.join(root, 'counted.db');
    const store = await SqliteSnekStore.open(file);
    const other = await SqliteSnekStore.open(file);
    const named = (id: string, word: string): Snek => ({ id, name: `A ${word} ${id}`, type: 'plain', content: 'x' });
    const found = async (q: string): Promise<string[]> => (await store.search({ q, limit: 10 })).items.map((item) => item.snek.id);
    try {
      await store.putMany(Array.from({ length: 30 }, (_, i) => ({ id: `s${i}`, name: `Snek ${i}`, type: 'plain', content: 'x' })));
      // Each first search counts a trigram in no row (0: no row matches); each second one must count again.
      expect(await found('zebra')).toEqual([]);
      await other.put(named('z1', 'zebra'));
      expect(await found('zebra')).toEqual(['z1']);
      expect(await found('quagga')).toEqual([]);
      await store.put(named('q1', 'quagga'));
      expect(await found('quagga')).toEqual(['q1']);
      expect(await found('okapi')).toEqual([]);
      await store.bulkLoad(async () => {
        await store.putMany([named('o1', 'okapi')]);
        expect(await found('okapi')).toEqual(['o1']);
      });
      expect(await found('okapi')).toEqual(['o1']);
    } finally {
      await other.close();
      await store.close();
    }
  });

  it('ranks near misses on their own rows where a type holds the text: those of that type are tier 3, once', async () => {
    // 620 sneks, past nearMissCandidates; the walk sees all of them, so tier 3 is exact. "Wigglr i" is a near miss of
    // "wiggler", and of tier 3 where its type, "wigglers", holds the text.
    const fillers = Array.from({ length: 600 }, (_, i) => ({ id: `f${i}`, name: `Snek number ${i}`, type: 'plain', content: 'x' }));
    const near = Array.from({ length: 20 }, (_, i) => ({ id: `w${i}`, name: `Wigglr ${i}`, type: i % 2 ? 'wigglers' : 'plain', content: 'x' }));
    const store = await SqliteSnekStore.open(path.join(root, 'typed.db'), { search: { denseCandidates: 50, scanBound: 1000, denseSample: 100, nearMissCandidates: 30, nearMissReads: 300 } });
    try {
      await store.putMany([...fillers, ...near]);
      const expected = rankSneks([...fillers, ...near], prepareSearch('wiggler')).map(({ snek, rank }) => ({ id: snek.id, rank }));
      expect(expected.map((item) => item.rank.tier)).toEqual([...Array(10).fill(3), ...Array(10).fill(4)]);
      // A page of 13 leaves 3 places (and one to tell of more) to near misses: ranked as if untyped, the "wigglers" ones would take them.
      expect((await store.search({ q: 'wiggler', limit: 13 })).items.map((item) => ({ id: item.snek.id, rank: item.rank }))).toEqual(expected.slice(0, 13));
      expect((await store.search({ q: 'wiggler', limit: 50 })).items.map((item) => ({ id: item.snek.id, rank: item.rank }))).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  describe('past its limits, as at a million sneks (3,000 sneks, limits a few hundredth of the defaults)', () => {
    // Named as the scale bench names them: noodles sort before "snek", so a walk of the name order sees them first.
    const ADJECTIVES = ['Sleepy', 'Grumpy', 'Happy', 'Coiled'];
    const many: Snek[] = Array.from({ length: 3000 }, (_, i) => ({ id: `snek-${String(i).padStart(7, '0')}`, name: i % 8 === 7 ? `${ADJECTIVES[(i >>> 3) % 4]} noodle ${i}` : `Snek number ${i}`, type: 'plain', content: 'x' }));
    const LIMITS: SearchLimits = { denseCandidates: 50, scanBound: 20, denseSample: 100, nearMissCandidates: 30, nearMissReads: 300 };
    let store: SqliteSnekStore;
    beforeEach(async () => {
      store = await SqliteSnekStore.open(path.join(root, 'many.db'), { search: LIMITS });
      await store.putMany(many);
    });
    afterEach(async () => {
      await store.close();
    });
    const ranksOf = (q: string): Map<string, unknown> => new Map(rankSneks(many, prepareSearch(q)).map(({ snek, rank }) => [snek.id, rank]));

    it('finds a misspelt name among its near misses, first, from the trigrams its digits share', async () => {
      const page = await store.search({ q: 'Snek nubmer 1234', limit: 10 });
      expect(page.items[0]!.snek.name).toBe('Snek number 1234');
      const exact = ranksOf('Snek nubmer 1234');
      for (const item of page.items) expect(item.rank).toEqual(exact.get(item.snek.id));
      expect(page.items.length).toBe(10);
    });

    it('fills the page of a text that most names contain, with real matches in rank order, and pages on after the cursor', async () => {
      const exact = ranksOf('number');
      // The walk of 20 rows sees only noodles: the page comes from the sample of the trigram index.
      const first = await store.search({ q: 'number', limit: 10 });
      expect(first.items.length).toBe(10);
      expect(first.more).toBe(true);
      const second = await store.search({ q: 'number', limit: 10, after: first.items.at(-1)!.rank });
      expect(second.items.length).toBe(10);
      const both = [...first.items, ...second.items];
      for (const item of both) expect(item.rank).toEqual(exact.get(item.snek.id));
      for (let i = 1; i < both.length; i++) expect(compareRanks(both[i - 1]!.rank, both[i]!.rank)).toBeLessThan(0);
    });

    it('is exact where the page fills within the walk, or the text has a rare trigram', async () => {
      for (const q of ['noodle', 'snek-00012', 'number 123', '2999', 'zzz']) {
        const expected = rankSneks(many, prepareSearch(q)).slice(0, 10).map(({ snek, rank }) => ({ id: snek.id, rank }));
        const tiers = expected.filter((item) => item.rank.tier < 4);
        const got = (await store.search({ q, limit: 10 })).items.map((item) => ({ id: item.snek.id, rank: item.rank }));
        expect(got.slice(0, tiers.length)).toEqual(tiers);
      }
    });
  });
});
