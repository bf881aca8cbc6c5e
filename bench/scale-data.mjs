// The sneks of `pnpm bench --scale`: names and types like real ones, the same for a given count on every run.
import { closeSync, openSync, writeSync } from 'node:fs';

/** A few types, common to rare, as a gallery has them. */
export const SCALE_TYPES = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy'];
const TYPE_SHARE = [40, 25, 15, 10, 6, 4];
const ADJECTIVES = ['Sleepy', 'Grumpy', 'Happy', 'Coiled', 'Wavy', 'Tiny', 'Fancy', 'Shy'];

/** A 32-bit integer hash of i (lowbias32): spreads types and shapes without a seeded generator's state. */
export function hash(i) {
  let x = i >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export const scaleId = (i) => `snek-${String(i).padStart(7, '0')}`;

/** Seven in eight are "Snek number N"; the rest "Sleepy noodle N", so a query for "snek" matches most names, not all. */
export const scaleName = (i) => (i % 8 === 7 ? `${ADJECTIVES[(i >>> 3) % ADJECTIVES.length]} noodle ${i}` : `Snek number ${i}`);

export function scaleType(i) {
  let pick = hash(i) % 100;
  for (let t = 0; t < SCALE_TYPES.length; t++) {
    if (pick < TYPE_SHARE[t]) return SCALE_TYPES[t];
    pick -= TYPE_SHARE[t];
  }
  return SCALE_TYPES[0];
}

/** 5–9 lines of art, 150–450 bytes: the size of the classic pack's sneks. */
function art(i) {
  const h = hash(i + 0x9e3779b9);
  const lines = 5 + (h % 5);
  const width = 24 + ((h >>> 8) % 24);
  const rows = [];
  for (let r = 0; r < lines; r++) rows.push(`${' '.repeat((r * 3 + h) % 7)}${'~'.repeat(width - ((r * 5) % 9))}${r === lines >> 1 ? ':>' : ''}`);
  return `${rows.join('\n')}\n`;
}

/** Writes `n` sneks as JSON lines to `file`, a batch at a time (1M sneks are some 400 MB, past V8's longest string). */
export function writeScaleSneks(file, n) {
  const fd = openSync(file, 'w');
  try {
    for (let start = 0; start < n; start += 10_000) {
      const lines = [];
      for (let i = start; i < Math.min(n, start + 10_000); i++) lines.push(JSON.stringify({ id: scaleId(i), name: scaleName(i), type: scaleType(i), content: art(i) }));
      writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    closeSync(fd);
  }
}
