/** One line of a diff: kept, or only in the newer text, or only in the older. */
export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** A row the history page shows: a line, or a run of unchanged lines folded away. */
export type DiffRow = DiffLine | { kind: 'skipped'; count: number };

/**
 * Myers' search stops after this many added or removed lines and shows the rest as removed-then-added. Art is at
 * most 64 KiB, but 32,768 one-character lines of it, each differing, would cost (N+M)·D steps unbounded; with this
 * cap a diff costs at most about 64 K · 500 comparisons, and two versions that far apart read as a rewrite anyway.
 */
const MAX_EDITS = 500;

/** The lines of `before` and `after` as a shortest edit script (Myers 1986), oldest line order first. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Most edits touch a few lines of a snek: the common head and tail need no search.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail += 1;
  const same = (text: string): DiffLine => ({ kind: 'same', text });
  const middleA = a.slice(head, a.length - tail);
  const middleB = b.slice(head, b.length - tail);
  const middle = shortestEdit(middleA, middleB) ?? [
    ...middleA.map((text): DiffLine => ({ kind: 'removed', text })),
    ...middleB.map((text): DiffLine => ({ kind: 'added', text })),
  ];
  return [...a.slice(0, head).map(same), ...middle, ...a.slice(a.length - tail).map(same)];
}

/** Myers' greedy search, keeping each round's furthest points to walk back; undefined past MAX_EDITS. */
function shortestEdit(a: readonly string[], b: readonly string[]): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, MAX_EDITS);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= limit; d += 1) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return walkBack(trace, offset, a, b);
    }
  }
  return undefined;
}

function walkBack(trace: readonly Int32Array[], offset: number, a: readonly string[], b: readonly string[]): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d -= 1) {
    const v = trace[d]!;
    const k = x - y;
    const previousK = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? k + 1 : k - 1;
    const previousX = v[offset + previousK]!;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      x -= 1;
      y -= 1;
      out.push({ kind: 'same', text: a[x]! });
    }
    if (d > 0) out.push(x === previousX ? { kind: 'added', text: b[previousY]! } : { kind: 'removed', text: a[previousX]! });
    x = previousX;
    y = previousY;
  }
  return out.reverse();
}

/** The diff with each run of unchanged lines longer than twice `context` folded to `context` lines either side. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const rows: DiffRow[] = [];
  for (let i = 0; i < lines.length; ) {
    if (lines[i]!.kind !== 'same') {
      rows.push(lines[i++]!);
      continue;
    }
    let end = i;
    while (end < lines.length && lines[end]!.kind === 'same') end += 1;
    // A run at the very start or end needs context on one side only.
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = end === lines.length ? 0 : context;
    if (end - i > keepBefore + keepAfter + 1) {
      rows.push(...lines.slice(i, i + keepBefore), { kind: 'skipped', count: end - i - keepBefore - keepAfter }, ...lines.slice(end - keepAfter, end));
    } else rows.push(...lines.slice(i, end));
    i = end;
  }
  return rows;
}

/** How many lines were added and removed. */
export function diffCounts(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === 'added') added += 1;
    else if (line.kind === 'removed') removed += 1;
  }
  return { added, removed };
}
