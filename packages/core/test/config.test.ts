import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SnekError, loadConfig } from '../src/index.js';
import { tempDir, type TempDir } from './helpers/temp-dir.js';

let dir: TempDir;
// An empty environment, so the developer's own SNEK_* variables and ~/.config/snek never leak in.
let env: NodeJS.ProcessEnv;
beforeEach(async () => {
  dir = await tempDir();
  env = { HOME: dir.path, XDG_CONFIG_HOME: path.join(dir.path, '.xdg') };
});
afterEach(() => dir.cleanup());

async function configError(promise: Promise<unknown>): Promise<SnekError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!SnekError.is(error)) throw new Error(`expected a SnekError, got ${String(error)}`);
  return error;
}

describe('loadConfig', () => {
  it('gives the prototype defaults when there is no config file', async () => {
    const loaded = await loadConfig({ cwd: dir.path, env });
    expect(loaded.filepath).toBeNull();
    expect(loaded.configDir).toBe(dir.path);
    expect(loaded.config).toEqual({
      server: { host: '127.0.0.1', port: 8000, store: { use: 'sqlite' }, packs: ['classic'], storeTimeout: 10, auth: {}, historyKeep: 100, cacheMaxStaleMs: 1000 },
      client: { url: 'http://localhost:8000' },
    });
    expect(loaded.sources['server.port']).toBe('default');
  });

  it('reads an extensionless .snekrc as YAML, found from a nested folder', async () => {
    const file = await dir.write('.snekrc', 'server:\n  port: 9001\n  store: sqlite\nclient:\n  url: http://snek.internal:9001\n');
    await dir.write('a/b/keep', '');
    const loaded = await loadConfig({ cwd: path.join(dir.path, 'a/b'), env });
    expect(loaded.filepath).toBe(file);
    expect(loaded.configDir).toBe(dir.path);
    expect(loaded.config.server.port).toBe(9001);
    expect(loaded.config.server.store).toEqual({ use: 'sqlite' });
    expect(loaded.config.client.url).toBe('http://snek.internal:9001');
  });

  it('reads .snekrc.json and keeps store options', async () => {
    await dir.write('.snekrc.json', JSON.stringify({ server: { store: { use: './my-store.js', options: { dir: 'data' } } } }));
    const loaded = await loadConfig({ cwd: dir.path, env });
    expect(loaded.config.server.store).toEqual({ use: './my-store.js', options: { dir: 'data' } });
  });

  it('reads server.packs as written, [] included, and refuses a pack that is not a name', async () => {
    await dir.write('.snekrc', 'server:\n  packs: [classic, "@acme/snek-pack-holidays", ./my-pack]\n');
    expect((await loadConfig({ cwd: dir.path, env })).config.server.packs).toEqual(['classic', '@acme/snek-pack-holidays', './my-pack']);
    await dir.write('.snekrc', 'server:\n  packs: []\n');
    expect((await loadConfig({ cwd: dir.path, env })).config.server.packs).toEqual([]);
    await dir.write('.snekrc', 'server:\n  packs: [classic, 7]\n');
    await expect(loadConfig({ cwd: dir.path, env })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('server.packs.1') });
  });

  it('reads server.metrics: off when absent or false, on with true or an object, and refuses an allow entry that is no address', async () => {
    const metricsOf = async (value: string) => {
      await dir.write('.snekrc', `server:\n  metrics: ${value}\n`);
      return (await loadConfig({ cwd: dir.path, env })).config.server.metrics;
    };
    expect(await metricsOf('false')).toBeUndefined();
    expect(await metricsOf('true')).toEqual({ allow: [] });
    expect(await metricsOf('{ allow: [10.0.0.0/8, 192.0.2.7, "fd00::/8"] }')).toEqual({ allow: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'] });
    expect(await metricsOf('{ enabled: false, allow: [10.0.0.0/8] }')).toBeUndefined();
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '"fd00::/129"']) {
      const error = await configError(metricsOf(`{ allow: [${bad}] }`));
      expect([bad, error.code, error.message]).toEqual([bad, 'CONFIG_INVALID', expect.stringContaining('line 2: server.metrics.allow.0: not an IP address or a network such as 10.0.0.0/8')]);
    }
  });

  it('takes --config over SNEK_CONFIG over the search', async () => {
    await dir.write('.snekrc', 'server: { port: 1 }');
    const viaEnv = await dir.write('env.yaml', 'server: { port: 2 }');
    const viaFlag = await dir.write('flag.yaml', 'server: { port: 3 }');
    expect((await loadConfig({ cwd: dir.path, env: { ...env, SNEK_CONFIG: viaEnv } })).config.server.port).toBe(2);
    expect((await loadConfig({ cwd: dir.path, env: { ...env, SNEK_CONFIG: viaEnv }, configPath: viaFlag })).config.server.port).toBe(3);
  });

  it('lets SNEK_HOST, SNEK_PORT, SNEK_STORE, SNEK_URL and SNEK_TOKEN override the file', async () => {
    await dir.write('.snekrc', 'server: { host: 0.0.0.0, port: 1, store: fs }\nclient: { url: "http://a:1", token: from-file }');
    const loaded = await loadConfig({
      cwd: dir.path,
      env: { ...env, SNEK_HOST: '::1', SNEK_PORT: '8123', SNEK_STORE: 'memory', SNEK_URL: 'http://b:2', SNEK_TOKEN: 'from-env' },
    });
    expect(loaded.config.server).toMatchObject({ host: '::1', port: 8123, store: { use: 'memory' } });
    expect(loaded.config.client).toEqual({ url: 'http://b:2', token: 'from-env' });
    expect(loaded.sources['client.token']).toBe('env SNEK_TOKEN');
  });

  it('names the file and the key of an invalid value', async () => {
    const file = await dir.write('.snekrc', 'server:\n  port: 99999\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain('server.port');
    expect(error.message).toContain('line 2: server.port');
  });

  it('names the line of a bad value in a JSON config, and of every key in a list of problems', async () => {
    await dir.write('.snekrc.json', '{\n  "server": {\n    "host": "h",\n    "port": "x"\n  },\n  "client": { "url": "nope" }\n}\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.message).toContain('line 4: server.port');
    expect(error.message).toContain('line 6: client.url');
  });

  it('names the line of a key inside a list', async () => {
    await dir.write('.snekrc', 'server:\n  auth:\n    tokens:\n      - { name: a, env: A, scopes: [read] }\n      - { name: b, env: B, scopes: [fly] }\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.message).toContain('line 5: server.auth.tokens.1.scopes.0');
  });

  it('names the line of a "snek" key in package.json', async () => {
    await dir.write('package.json', '{\n  "name": "x",\n  "snek": {\n    "server": { "prot": 1 }\n  }\n}\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.message).toContain('line 4: server.prot: unknown key');
  });

  it('reads server.limits, and names what is wrong with one that limits nothing or not by a whole number', async () => {
    await dir.write('.snekrc', 'server:\n  limits: { perMinute: { actor: 600 } }\n');
    expect((await loadConfig({ cwd: dir.path, env })).config.server.limits).toEqual({ perMinute: { actor: 600 } });
    const cases: Array<[string, string]> = [
      ['server:\n  limits:\n    perMinute: {}\n', 'line 3: server.limits.perMinute: give actor, address or both (requests a minute), or remove server.limits to have no limits'],
      ['server:\n  limits:\n    perMinute: { address: 0.5 }\n', 'line 3: server.limits.perMinute.address'],
      ['server:\n  limits:\n    perMinute: { actor: 0 }\n', 'line 3: server.limits.perMinute.actor'],
      ['server:\n  limits:\n    perSecond: { actor: 5 }\n', 'line 3: server.limits.perSecond: unknown key'],
    ];
    for (const [text, expected] of cases) {
      await dir.write('.snekrc', text);
      const error = await configError(loadConfig({ cwd: dir.path, env }));
      expect([text, error.code, error.message]).toEqual([text, 'CONFIG_INVALID', expect.stringContaining(expected)]);
    }
  });

  it('names a misspelt key', async () => {
    await dir.write('.snekrc', 'server:\n  prot: 8000\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('line 2: server.prot: unknown key');
  });

  it('reports a YAML syntax error with the file and line', async () => {
    const file = await dir.write('.snekrc', 'server:\n  port: 1\n   host: [\n');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 3, column 8');
  });

  it('reports bad JSON with the file', async () => {
    const file = await dir.write('.snekrc.json', '{\n  "server": {"port": 1,}}');
    const error = await configError(loadConfig({ cwd: dir.path, env }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(file);
    expect(error.message).toContain('line 2, column 24');
  });

  it('rejects a SNEK_PORT that is not a port, naming the variable', async () => {
    const error = await configError(loadConfig({ cwd: dir.path, env: { ...env, SNEK_PORT: '80a' } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('SNEK_PORT');
  });

  it('fails with CONFIG_NOT_FOUND for a --config file that does not exist', async () => {
    const error = await configError(loadConfig({ cwd: dir.path, env, configPath: 'missing.yaml' }));
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toContain(path.join(dir.path, 'missing.yaml'));
  });

  it('treats an empty file as no settings', async () => {
    const file = await dir.write('.snekrc', '');
    const loaded = await loadConfig({ cwd: dir.path, env });
    expect(loaded.filepath).toBe(file);
    expect(loaded.config.server.port).toBe(8000);
  });
});
