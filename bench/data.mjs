import { writeFileSync } from 'node:fs';

const TYPES = ['cute', 'fancy', 'plain', 'tiny', 'long', 'wavy', 'coiled', 'sleepy', 'happy', 'grumpy'];

/** n sneks of 10 types, 12-line art of 300–700 bytes, as JSON lines; returns their raw bytes (id+name+type+content). */
export function writeSneks(file, n) {
  const lines = [];
  let raw = 0;
  for (let i = 0; i < n; i++) {
    const width = 20 + ((i * 7) % 40);
    const content = `${Array.from({ length: 12 }, (_, r) => ' '.repeat((r * 3 + i) % 9) + '~'.repeat(width - (r % 5)) + (r % 4 ? '' : '<')).join('\n')}\n`;
    const snek = { id: `snek-${String(i).padStart(6, '0')}`, name: `Snek ${i}`, type: TYPES[i % TYPES.length], content };
    raw += Buffer.byteLength(snek.id) + Buffer.byteLength(snek.name) + Buffer.byteLength(snek.type) + Buffer.byteLength(content);
    lines.push(JSON.stringify(snek));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  return raw;
}
