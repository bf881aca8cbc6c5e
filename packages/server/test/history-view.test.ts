import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { diffCounts, diffLines, foldUnchanged, type DiffLine } from '../src/web/line-diff.js';
import { shownTime, timeAgo } from '../src/web/relative-time.js';

const older = (lines: readonly DiffLine[]) => lines.filter((line) => line.kind !== 'added').map((line) => line.text).join('\n');
const newer = (lines: readonly DiffLine[]) => lines.filter((line) => line.kind !== 'removed').map((line) => line.text).join('\n');

/** The length of a longest common subsequence, by the textbook table: the number of lines a shortest diff keeps. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j += 1) {
      const up = row[j]!;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!);
      diagonal = up;
    }
  }
  return row[b.length]!;
}

// Few distinct lines, so that texts share many of them and the search has work to do.
const art = fc.array(fc.constantFrom('~~~<', '  /\\', '', ' o ', '\\__/', 'x'), { maxLength: 30 }).map((lines) => lines.join('\n'));

describe('diffLines(before, after)', () => {
  it('marks one changed line as removed then added, between kept lines', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
  });

  it('gives back both texts exactly, and keeps as many lines as a longest common subsequence', () => {
    fc.assert(
      fc.property(art, art, (before, after) => {
        const lines = diffLines(before, after);
        expect(older(lines)).toBe(before);
        expect(newer(lines)).toBe(after);
        expect(lines.filter((line) => line.kind === 'same')).toHaveLength(lcsLength(before.split('\n'), after.split('\n')));
      }),
      { numRuns: 300 },
    );
  });

  it('answers two 64 KiB arts of one-character lines with nothing in common as a rewrite, still exact', () => {
    const before = Array.from({ length: 32_768 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('\n');
    const after = Array.from({ length: 32_768 }, (_, i) => String.fromCharCode(0x41 + (i % 26))).join('\n');
    const lines = diffLines(before, after);
    expect([older(lines), newer(lines)]).toEqual([before, after]);
    expect(diffCounts(lines)).toEqual({ added: 32_768, removed: 32_768 });
  });
});

describe('foldUnchanged(lines, context)', () => {
  it('folds a long run of kept lines to its context, and leaves a short one', () => {
    const kept = (n: number) => Array.from({ length: n }, (_, i): DiffLine => ({ kind: 'same', text: `k${i}` }));
    const change: DiffLine = { kind: 'added', text: 'new' };
    expect(foldUnchanged([...kept(10), change, ...kept(10), change, ...kept(2)], 2)).toEqual([
      { kind: 'skipped', count: 8 },
      ...kept(10).slice(8),
      change,
      ...kept(2),
      { kind: 'skipped', count: 6 },
      ...kept(10).slice(8),
      change,
      ...kept(2),
    ]);
    expect(foldUnchanged([change, ...kept(5), change], 2)).toEqual([change, ...kept(5), change]);
  });
});

describe('timeAgo(at, now)', () => {
  const now = Date.parse('2026-05-01T12:00:00.000Z');
  it.each([
    ['2026-05-01T11:59:30.000Z', 'just now'],
    ['2026-05-01T12:00:05.000Z', 'just now'],
    ['2026-05-01T11:59:00.000Z', '1 minute ago'],
    ['2026-05-01T09:00:00.000Z', '3 hours ago'],
    ['2026-04-29T12:00:00.000Z', '2 days ago'],
    ['2025-04-01T12:00:00.000Z', '1 year ago'],
  ])('%s is "%s"', (at, words) => {
    expect(timeAgo(at, now)).toBe(words);
  });

  it('gives the exact time for the title, in UTC', () => {
    expect(shownTime('2026-05-01T08:59:59.123Z', now)).toEqual({ iso: '2026-05-01T08:59:59.123Z', exact: '2026-05-01 08:59:59 UTC', ago: '3 hours ago' });
  });
});
