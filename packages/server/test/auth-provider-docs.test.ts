import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { tempDir, type TempDir } from '../../core/test/helpers/temp-dir.js';
import { cleanEnv, killAllServers, startServerProcess } from './helpers/server-process.js';

// docs/writing-an-auth-provider.md runs here as written: its files are blocks whose info string names them.
const GUIDE = await readFile(new URL('../../../docs/writing-an-auth-provider.md', import.meta.url), 'utf8');
const files = [...GUIDE.matchAll(/```\w+ ([^\n]+)\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, text: m[2]! }));

// The company's key service: RFC 7662 introspection for two keys, one revoked.
const KEYS: Record<string, object> = {
  corp_alice: { active: true, sub: 'alice', email: 'alice@corp.test', groups: ['snek-writers'] },
  corp_bob: { active: true, sub: 'bob', email: 'bob@corp.test', groups: [] },
  corp_old: { active: false },
};

let dir: TempDir;
let keyService: Server;
beforeAll(async () => {
  dir = await tempDir('snek-auth-docs-');
  keyService = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(KEYS[new URLSearchParams(body).get('token')!] ?? { active: false })));
  });
  await new Promise<void>((resolve) => keyService.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  killAllServers();
  await new Promise((resolve) => keyService?.close(resolve));
  await dir?.cleanup();
});

describe('docs/writing-an-auth-provider.md', () => {
  it('the example provider signs in the key service’s keys, with the scopes of their groups', async () => {
    expect(files.map((file) => file.name)).toEqual(['corp-keys/package.json', 'corp-keys/index.js', '.snekrc']);
    const port = (keyService.address() as AddressInfo).port;
    for (const file of files) await dir.write(file.name, file.text.replace('127.0.0.1:9999', `127.0.0.1:${port}`));
    const server = await startServerProcess({ cwd: dir.path, env: cleanEnv(dir.path, { SNEK_STORE: 'memory' }) });
    const whoami = async (token: string) => {
      const response = await fetch(`${server.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
      return [response.status, await response.json()];
    };
    expect(await whoami('corp_alice')).toEqual([200, { actor: { kind: 'person', id: 'alice', email: 'alice@corp.test', via: 'corp-keys' }, scopes: ['read', 'write'] }]);
    expect(await whoami('corp_bob')).toEqual([200, { actor: { kind: 'person', id: 'bob', email: 'bob@corp.test', via: 'corp-keys' }, scopes: ['read'] }]);
    const [status, problem] = await whoami('corp_old');
    expect([status, (problem as { detail: string }).detail]).toEqual([401, 'That corp key is revoked or expired. Run snek login again, or send another token.']);
    expect((await whoami('ghp_not_ours'))[0]).toBe(401);
    const auth = (await (await fetch(`${server.url}/v1/auth`)).json()) as { signIn: unknown[] };
    expect(auth.signIn).toEqual([{ name: 'corp-keys', displayName: 'Corp keys', browser: '/signin/corp-keys', keys: 'corp_…, from the key service' }]);
    // Every write is logged with who made it, and never with the key.
    const put = await fetch(`${server.url}/v1/sneks/keyed`, { method: 'PUT', headers: { authorization: 'Bearer corp_alice', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Keyed', type: 'cute', content: '~>' }) });
    expect(put.status).toBe(201);
    expect(await server.stop()).toBe(0);
    const lines = server.output().stdout.split('\n').filter((line) => line.includes('"url":"/v1/sneks/keyed"'));
    expect(lines.map((line) => JSON.parse(line).user)).toEqual([{ sub: 'alice', email: 'alice@corp.test', via: 'corp-keys' }]);
    expect(server.output().stdout).not.toContain('corp_alice');
  });
});
