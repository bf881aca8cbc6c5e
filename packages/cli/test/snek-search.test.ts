import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { EXIT } from '../src/exit-codes.js';
import { expectOneLineError } from './helpers/one-line-error.js';
import { runSnek } from './helpers/run-snek.js';

// `snek search` and the "Did you mean" of `snek NAME`, run as a child process against a real server.
const TOKEN = 'search-token';
const SNEKS = [
  { id: 'plain-snek', name: 'Snek', type: 'tiny' },
  { id: 'snek-number-10', name: 'Snek number 10', type: 'numbered' },
  { id: 'snek-number-7', name: 'Snek number 7', type: 'numbered' },
  { id: 'big', name: 'Big Snek', type: 'tiny' },
  { id: 'coily', name: 'Coily', type: 'snekish' },
  { id: 'percent', name: '100% snek', type: 'meta' },
];

let dir: TempDir;
let server: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-search-');
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
  for (const { id, ...snek } of SNEKS) {
    const put = await fetch(`${server.url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...snek, content: `${snek.name}\n` }) });
    expect(put.status).toBe(201);
  }
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

const snek = (args: string[]) => runSnek(args, { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url }) });

describe('snek search TEXT', () => {
  it('prints the ranked results, id, name and type, one per line with the ids aligned', async () => {
    const run = await snek(['search', 'snek']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout.toString()).toBe(
      [
        'plain-snek      Snek (tiny)',
        'snek-number-7   Snek number 7 (numbered)',
        'snek-number-10  Snek number 10 (numbered)',
        'percent         100% snek (meta)',
        'big             Big Snek (tiny)',
        'coily           Coily (snekish)',
        '',
      ].join('\n'),
    );
  });

  it('--type, --limit and --json', async () => {
    expect((await snek(['search', 'snek', '--type', 'numbered'])).stdout.toString()).toBe('snek-number-7   Snek number 7 (numbered)\nsnek-number-10  Snek number 10 (numbered)\n');
    expect((await snek(['search', 'snek', '--limit', '2'])).stdout.toString()).toBe('plain-snek     Snek (tiny)\nsnek-number-7  Snek number 7 (numbered)\n');
    const json = await snek(['search', 'snek NUMBER 10', '--limit', '1', '--json']);
    expect([json.code, JSON.parse(json.stdout.toString())]).toEqual([0, [{ id: 'snek-number-10', name: 'Snek number 10', type: 'numbered' }]]);
  });

  it('takes any text literally', async () => {
    expect((await snek(['search', '%'])).stdout.toString()).toBe('percent  100% snek (meta)\n');
    for (const text of ['_', '%%', "'", '\\', '.*']) {
      const run = await snek(['search', text]);
      expectOneLineError(run, EXIT.NOT_FOUND, new RegExp(`^snek: No snek matches "${text.replace(/[.*\\]/g, '\\$&')}"`));
    }
  });

  it('no match, no text, a bad --limit and text the server refuses each exit with one line and the documented code', async () => {
    expectOneLineError(await snek(['search', 'zzqqxx']), EXIT.NOT_FOUND, /^snek: No snek matches "zzqqxx"\. Run `snek list`/);
    expectOneLineError(await snek(['search']), EXIT.USAGE, /^snek: snek search needs the TEXT to look for\. Usage: snek search TEXT/);
    expectOneLineError(await snek(['search', '']), EXIT.USAGE, /needs the TEXT/);
    expectOneLineError(await snek(['search', 'snek', '--limit', '0']), EXIT.USAGE, /--limit must be a whole number from 1 to 500/);
    expectOneLineError(await snek(['search', 'snek', '--limit', '501']), EXIT.USAGE, /--limit must be a whole number from 1 to 500/);
    expectOneLineError(await snek(['search', 'x'.repeat(101)]), EXIT.USAGE, /q: must be at most 100 characters/);
    // A control character is refused by the server, and its escape is not printed to the terminal.
    const escape = await snek(['search', '\u001b[31m']);
    expectOneLineError(escape, EXIT.USAGE, /control characters/);
    expect(escape.stderr).not.toContain('\u001b');
  });
});

describe('snek NAME with no such snek', () => {
  it('suggests the best search results and exits 1', async () => {
    expectOneLineError(await snek(['Snek numbr 7']), EXIT.NOT_FOUND, /^snek: No snek named "Snek numbr 7"\. Did you mean: "Snek number 7" \(snek-number-7\), "Snek number 10" \(snek-number-10\), "Snek" \(plain-snek\)\?\n$/);
    expectOneLineError(await snek(['number', '--type', 'numbered']), EXIT.NOT_FOUND, /^snek: No snek named "number" of type numbered\. Did you mean: "Snek number 7" \(snek-number-7\), "Snek number 10" \(snek-number-10\)\?\n$/);
  });

  it('with nothing near, says where to look', async () => {
    expectOneLineError(await snek(['qqqqzzzz']), EXIT.NOT_FOUND, /^snek: No snek named "qqqqzzzz"\. Run `snek search qqqqzzzz` or `snek list` to see them\.\n$/);
  });
});
