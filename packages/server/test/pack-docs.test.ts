import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { readDocs } from '../../core/test/helpers/docs.js';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';

// docs/writing-a-pack.md runs here as written: its files are blocks whose info string names them (```js my-pack/index.mjs).
const GUIDE = await readFile(new URL('../../../docs/writing-a-pack.md', import.meta.url), 'utf8');
const named = [...GUIDE.matchAll(/```\w+ ([^\n]+)\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, text: m[2]! }));
const files = named.filter((block) => !block.name.startsWith('GET '));

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('snek-pack-docs-');
});
afterAll(async () => {
  killAllServers();
  await dir.cleanup();
});

describe('docs/writing-a-pack.md', () => {
  it('the pack in a folder seeds a real server, which lists the packs as the guide shows', async () => {
    expect(files.map((file) => file.name)).toEqual(['my-pack/package.json', 'my-pack/index.mjs', 'my-pack/hello.txt', '.snekrc']);
    for (const file of files) await dir.write(file.name, file.text);
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path) });
    const hello = (await (await fetch(`${server.url}/v1/sneks/hello`)).json()) as { content: string };
    expect(hello).toMatchObject({ id: 'hello', name: 'Hello Snek', type: 'greeting', content: files.find((file) => file.name === 'my-pack/hello.txt')!.text });
    const shown = named.find((block) => block.name === 'GET /v1/packs')!;
    expect(await (await fetch(`${server.url}/v1/packs`)).json()).toEqual(JSON.parse(shown.text));
    expect(await server.stop()).toBe(0);
  });
});

describe('docs/stores.md, Snek packs', () => {
  it('its .snekrc is valid and names the packs in order', async () => {
    const readme = await readDocs();
    const [example] = [...readme.matchAll(/```yaml\n(# \.snekrc with packs\n[\s\S]*?)```/g)].map((m) => m[1]!);
    const file = await dir.write('readme/.snekrc', example!);
    const loaded = await loadConfig({ configPath: file, env: {} });
    expect(loaded.config.server.packs).toEqual(['classic', '@acme/snek-pack-holidays', './my-pack']);
  });
});
