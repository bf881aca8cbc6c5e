import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess, type ServerProcess } from '../../server/test/helpers/server-process.js';
import { SNEK_BIN, runSnek } from './helpers/run-snek.js';

const TOKEN = 'cli-test-token';
const shippedArt = (id: string) => readFile(new URL(`../../pack-classic/sneks/${id}.txt`, import.meta.url));

let dir: TempDir;
let server: ServerProcess;
beforeAll(async () => {
  dir = await tempDir('snek-cli-');
  server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_ADMIN_TOKEN: TOKEN }) });
});
afterAll(async () => {
  await server.stop();
  killAllServers();
  await dir.cleanup();
});

const snek = (args: string[], extra: NodeJS.ProcessEnv = {}, input?: string, cwd = dir.path) =>
  runSnek(args, { cwd, env: cleanEnv(dir.path, { SNEK_URL: server.url, ...extra }), ...(input === undefined ? {} : { input }) });

/** A failure is one line on stderr, nothing on stdout, and no stack trace. */
function expectOneLineError(run: { code: number | null; stdout: Buffer; stderr: string }, code: number, text: string | RegExp): void {
  expect(run.stdout.toString()).toBe('');
  expect(run.stderr).toMatch(/^snek: [^\n]+\n$/);
  expect(run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(code);
}

/** A local HTTP server that answers every request with `handler`, for what the real server never does. */
async function fakeServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close: () => Promise<void> }> {
  const http: Server = createServer(handler);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    }),
  };
}

describe('snek [NAME] [--type TYPE]', () => {
  it('snek --type cute prints the cute art byte for byte', async () => {
    const run = await snek(['--type', 'cute']);
    expect(run.code).toBe(0);
    expect(run.stdout.equals(await shippedArt('cute'))).toBe(true);
    expect(run.stderr).toBe('');
  });

  it('snek prints normal, and snek fancy prints fancy', async () => {
    expect((await snek([])).stdout.equals(await shippedArt('normal'))).toBe(true);
    expect((await snek(['fancy'])).stdout.equals(await shippedArt('fancy'))).toBe(true);
  });

  it('an unknown name prints the message with the closest names and exits 1', async () => {
    expectOneLineError(await snek(['cutee']), 1, /^snek: No snek named "cutee"\. Did you mean: "[^"]+" \(cute\)/);
    expectOneLineError(await snek(['--type', 'fancyy']), 1, /I don't know what that snek is\. Closest: fancy\./);
  });

  it('several matches print each with a "name (type)" header', async () => {
    await snek(['push', '-', '--name', 'Twin', '--type', 'twins', '--id', 'twin-a', '--token', TOKEN], {}, 'A\n');
    await snek(['push', '-', '--name', 'Twin', '--type', 'twins', '--id', 'twin-b', '--token', TOKEN], {}, 'B\n');
    const run = await snek(['--type', 'twins']);
    expect(run.stdout.toString()).toBe('Twin (twins)\nA\n\nTwin (twins)\nB\n');
    expect((await snek(['--type', 'twins', 'Twin'])).stdout.toString()).toBe('Twin (twins)\nA\n\nTwin (twins)\nB\n');
  });

  it('--json prints the matching sneks as JSON', async () => {
    const run = await snek(['cute', '--json']);
    // The server's sneks as it gives them: with updatedAt (null when its store keeps no history) and updatedBy.
    const printed = JSON.parse(run.stdout.toString()) as Array<Record<string, unknown>>;
    expect(printed).toEqual([{ id: 'cute', name: 'cute', type: 'cute', content: (await shippedArt('cute')).toString(), updatedAt: printed[0]?.['updatedAt'], updatedBy: null }]);
    expect(printed[0]!['updatedAt'] === null || typeof printed[0]!['updatedAt'] === 'string').toBe(true);
  });
});

describe('the fast path', () => {
  // `snek [NAME] [--type]` skips yargs, axios and cosmiconfig; it must print exactly what the full CLI prints.
  it.each([[[]], [['cute']], [['--type', 'cute']], [['--type=fancy']], [['--type', 'twins']], [['cutee']], [['--type', 'cute', 'nobody']], [['--timeout', '5', 'fancy']]])(
    'snek %j prints the same bytes and exits the same way as the full CLI',
    async (args) => {
      const fast = await snek(args);
      const full = await snek(args, { SNEK_CLI_FULL: '1' });
      expect({ code: fast.code, stdout: fast.stdout.toString(), stderr: fast.stderr }).toEqual({ code: full.code, stdout: full.stdout.toString(), stderr: full.stderr });
    },
  );

  it('reads client settings from a YAML .snekrc, and leaves a config with a server section to the full CLI', async () => {
    await dir.write('fast-yaml/.snekrc', `client:\n  url: ${server.url}\n`);
    const fromYaml = await snek(['--type', 'cute'], { SNEK_URL: '' }, undefined, path.join(dir.path, 'fast-yaml'));
    expect(fromYaml.stdout.equals(await shippedArt('cute'))).toBe(true);
    await dir.write('fast-server/.snekrc', `server:\n  port: lots\nclient:\n  url: ${server.url}\n`);
    expectOneLineError(await snek(['--type', 'cute'], { SNEK_URL: '' }, undefined, path.join(dir.path, 'fast-server')), 3, /server\.port/);
  });

  it("searches the same places as cosmiconfig, in the same order", async () => {
    const { getDefaultSearchPlaces, globalConfigSearchPlaces } = await import('cosmiconfig');
    const { SEARCH_PLACES, GLOBAL_PLACES } = await import('../src/fast-config.js');
    expect(SEARCH_PLACES).toEqual(getDefaultSearchPlaces('snek'));
    expect(GLOBAL_PLACES).toEqual(globalConfigSearchPlaces);
  });
});

describe('push, list, types and rm', () => {
  it('round-trips a snek: push from a file, show, list, replace from stdin, rm', async () => {
    const art = await dir.write('art/round.txt', '  ~~~~~~<  trailing  \n\tüñï 🐍 "\\"\n');
    expect((await snek(['push', art, '--name', 'Round Trip', '--type', 'roundy', '--token', TOKEN])).stdout.toString()).toBe('created round-trip\n');
    expect((await snek(['Round Trip'])).stdout.equals(await readFile(art))).toBe(true);
    expect((await snek(['list', '--type', 'roundy'])).stdout.toString()).toBe('round-trip  Round Trip (roundy)\n');
    expect((await snek(['push', '-', '--name', 'Round Trip', '--type', 'roundy', '--replace'], { SNEK_TOKEN: TOKEN }, 'v2\n')).stdout.toString()).toBe('replaced round-trip\n');
    expect((await snek(['round-trip'])).stdout.toString()).toBe('v2\n');
    expect((await snek(['rm', 'round-trip', '--token', TOKEN])).stdout.toString()).toBe('deleted round-trip\n');
    expectOneLineError(await snek(['rm', 'round-trip', '--token', TOKEN]), 1, /no snek "round-trip"/);
  });

  it('snek list pages through 750 sneks, listing each exactly once in id order', async () => {
    // A server of its own, so the counts are exact whatever other tests pushed; 750 is more than one page of 500.
    const own = await tempDir('snek-cli-paging-');
    const paging = await startServerProcess({ cwd: own.path, env: cleanEnv(own.path, { SNEK_ADMIN_TOKEN: TOKEN, SNEK_STORE: 'memory' }) });
    try {
      const ids = Array.from({ length: 750 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
      for (let at = 0; at < ids.length; at += 50) {
        const statuses = await Promise.all(ids.slice(at, at + 50).map(async (id) => {
          const response = await fetch(`${paging.url}/v1/sneks/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: id, type: 'bulk', content: id }) });
          return response.status;
        }));
        expect(statuses.filter((status) => status !== 201)).toEqual([]);
      }
      const listed = async (args: string[]) => (JSON.parse((await snek(['list', ...args, '--json'], { SNEK_URL: paging.url })).stdout.toString()) as Array<{ id: string }>).map((s) => s.id);
      expect(await listed(['--type', 'bulk'])).toEqual(ids);
      // The untyped list: the bulk sneks, then the three classic ones, in id order.
      expect(await listed([])).toEqual([...ids, 'cute', 'fancy', 'normal']);
      expect(JSON.parse((await snek(['types', '--json'], { SNEK_URL: paging.url })).stdout.toString())).toEqual([
        { type: 'bulk', count: 750 },
        { type: 'cute', count: 1 },
        { type: 'fancy', count: 1 },
        { type: 'normal', count: 1 },
      ]);
    } finally {
      await paging.stop();
      await own.cleanup();
    }
  });

  it('snek types prints each type with its count', async () => {
    const run = await snek(['types']);
    expect(run.stdout.toString()).toMatch(/^cute +1$/m);
    expect(JSON.parse((await snek(['types', '--json'])).stdout.toString())).toContainEqual({ type: 'fancy', count: 1 });
  });

  it('a write without a token exits 5 with one line, and changes nothing', async () => {
    expectOneLineError(await snek(['push', '-', '--name', 'cute', '--type', 'cute', '--id', 'cute'], {}, 'x\n'), 5, /needs a bearer token/);
    expectOneLineError(await snek(['rm', 'cute', '--token', 'wrong']), 5, /not valid/);
    expect((await snek(['cute'])).stdout.equals(await shippedArt('cute'))).toBe(true);
  });

  it('an invalid snek is refused before it is sent, with exit 2', async () => {
    expectOneLineError(await snek(['push', '-', '--name', 'Bad', '--type', 'bad', '--token', TOKEN], {}, 'red \u001b[31m alert'), 2, /content: must not contain control characters/);
    expectOneLineError(await snek(['push', '-', '--name', '!!!', '--type', 'bad', '--token', TOKEN], {}, 'x'), 2, /--id/);
    expectOneLineError(await snek(['push', 'missing.txt', '--name', 'x', '--type', 'bad', '--token', TOKEN]), 2, /Cannot read missing\.txt/);
  });
});

describe('config, flags and failures', () => {
  it('snek config shows where the token came from, never the token', async () => {
    const run = await snek(['config'], { SNEK_TOKEN: 'super-secret-value' });
    expect(run.stdout.toString()).toContain('token         from env SNEK_TOKEN\n');
    expect(run.stdout.toString()).toContain(`client.url    ${server.url}  (env SNEK_URL)`);
    expect(run.stdout.toString()).not.toContain('super-secret-value');
    const file = await dir.write('cfg/.snekrc', `client:\n  url: ${server.url}\n  token: file-secret\n`);
    const fromFile = await snek(['config', '--config', file, '--json']);
    expect(JSON.parse(fromFile.stdout.toString())).toMatchObject({ file, client: { token: 'from client.token in the config file' } });
    expect(fromFile.stdout.toString()).not.toContain('file-secret');
  });

  it('an unknown flag exits 2 with one line; --debug adds the stack trace', async () => {
    expectOneLineError(await snek(['--bogus']), 2, /Unknown argument: bogus\. Run snek --help/);
    const debug = await snek(['--bogus', '--debug']);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect(debug.code).toBe(2);
  });

  it('a server that is down exits 4 with a hint to start it', async () => {
    const down = await fakeServer(() => {});
    const url = down.url;
    await down.close();
    expectOneLineError(await snek(['cute'], { SNEK_URL: url }), 4, `cannot reach the snek server at ${url}: is it running? Start it with snek-server`);
  });

  it('an unknown host exits 4', async () => {
    expectOneLineError(await snek(['cute', '--url', 'http://no-such-host.invalid:8000', '--timeout', '5']), 4, /no-such-host\.invalid/);
  });

  it('a server that never answers exits 4 after --timeout', async () => {
    const silent = await fakeServer(() => {});
    try {
      expectOneLineError(await snek(['cute', '--timeout', '0.3'], { SNEK_URL: silent.url }), 4, /did not answer within 0\.3 s/);
    } finally {
      await silent.close();
    }
  });

  it('a 5xx answer exits 6 and says the server failed', async () => {
    const broken = await fakeServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 500, code: 'INTERNAL', detail: 'boom' }));
    });
    try {
      expectOneLineError(await snek(['cute'], { SNEK_URL: broken.url }), 6, /failed \(500\): boom/);
    } finally {
      await broken.close();
    }
  });

  it('an invalid .snekrc exits 3 naming the file and the line', async () => {
    const file = await dir.write('broken/.snekrc', 'client:\n  url: [\n');
    expectOneLineError(await snek(['cute', '--config', file]), 3, new RegExp(`${file}: line \\d+, column \\d+`));
  });

  it('an invalid .snekrc.json exits 3 naming the file and the line', async () => {
    const file = await dir.write('broken-json/.snekrc.json', '{\n  "client": {\n    "url": "http://x",\n  }\n}\n');
    expectOneLineError(await snek(['cute'], {}, undefined, path.join(dir.path, 'broken-json')), 3, new RegExp(`${file}: line 4, column 3`));
  });

  it('a 404 from the server exits 1, and a 403 exits 5, each with the server\'s own words', async () => {
    expectOneLineError(await snek(['rm', 'never-existed', '--token', TOKEN]), 1, /There is no snek "never-existed" to delete\./);
    const readOnly = await fakeServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 403, code: 'FORBIDDEN', detail: 'The token "reader" has the scopes read, but this request needs write.' }));
    });
    try {
      expectOneLineError(await snek(['rm', 'cute', '--token', 'reader'], { SNEK_URL: readOnly.url }), 5, /needs write/);
    } finally {
      await readOnly.close();
    }
  });

  it('strips control characters and ANSI escapes that a hostile server sends', async () => {
    const hostile = await fakeServer((_req, res) => {
      const snekWithEscapes = { id: 'evil', name: 'evil\u001b]0;pwned\u0007', type: 'evil', content: 'he\u001b[2Jllo\u001b[31m\r\n\u0007' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [snekWithEscapes], nextCursor: null }));
    });
    try {
      const run = await snek(['evil'], { SNEK_URL: hostile.url });
      expect(run.stdout.toString()).toBe('hello\n');
      expect(run.stdout.includes(0x1b)).toBe(false);
    } finally {
      await hostile.close();
    }
  });

  it('exits 0 without a word when the reader closes the pipe early (snek | head)', async () => {
    // The reader exits at once, long before snek writes. A pipeline's status is its last command's, so snek's own
    // comes from PIPESTATUS.
    const line = `"${process.execPath}" "${SNEK_BIN}" fancy | (exit 0); echo "snek exited \${PIPESTATUS[0]}"`;
    const run = await runSnek(['-c', line], { cwd: dir.path, env: cleanEnv(dir.path, { SNEK_URL: server.url }), shell: 'bash' });
    expect([run.code, run.stdout.toString(), run.stderr]).toEqual([0, 'snek exited 0\n', '']);
  });

  it('--version, --help and completion work', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await snek(['--version'])).stdout.toString().trim()).toBe(manifest.version);
    const help = await snek(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['list', 'types', 'push', 'rm', 'config', 'completion', '--type', '--url', '--token', '--json', '--debug', '--timeout']) {
      expect(help.stdout.toString()).toContain(command);
    }
    expect((await snek(['completion'])).stdout.toString()).toContain('snek');
  });
});
