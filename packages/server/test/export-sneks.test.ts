import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import memory from '@snek/store-memory';
import { exportSneks } from '../src/export-sneks.js';
import { streamSink } from '../src/line-sink.js';

// The export into a slow stream: it waits for 'drain' instead of buffering the store in the stream.
describe('exportSneks into a stream', () => {
  it('never has more than one batch waiting in a slow stream, and writes every snek once, in id order', async () => {
    const store = await memory.create(undefined, { configDir: process.cwd() });
    const sneks = Array.from({ length: 3000 }, (_, i) => ({ id: `s${String(i).padStart(4, '0')}`, name: `Snek ${i}`, type: 't', content: `${'~'.repeat(200)}<\n` }));
    for (const snek of sneks) await store.put(snek);
    let text = '';
    let mostBuffered = 0;
    const slow: Writable = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        setTimeout(done, 1);
      },
    });
    const watching = setInterval(() => (mostBuffered = Math.max(mostBuffered, slow.writableLength)), 0);
    const report = await exportSneks(store, streamSink(slow));
    clearInterval(watching);
    expect(report).toMatchObject({ sneks: 3000, changes: 0, seq: 3000 });
    expect(text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(sneks);
    // One batch is 500 sneks of about 260 bytes: the whole export is 780 KB.
    expect(mostBuffered).toBeLessThanOrEqual(500 * 300);
    await store.close();
  });

  it('fails with EXPORT_FAILED when the stream breaks', async () => {
    const store = await memory.create(undefined, { configDir: process.cwd() });
    for (let i = 0; i < 1200; i++) await store.put({ id: `s${i}`, name: `S ${i}`, type: 't', content: 'x' });
    const broken = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) });
    await expect(exportSneks(store, streamSink(broken))).rejects.toMatchObject({ code: 'EXPORT_FAILED', message: 'Cannot write the export: write EPIPE.' });
    await store.close();
  });
});
