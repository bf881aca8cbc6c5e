import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';

// The published JSON Schema that editors use to complete .snekrc (built by scripts/write-json-schema.js).
const schemaFile = new URL('../dist/snekrc.schema.json', import.meta.url);

describe('snekrc.schema.json', () => {
  it('is a draft 2020-12 schema describing server and client, closed to unknown keys', async () => {
    const schema = JSON.parse(await readFile(schemaFile, 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.server.properties).sort()).toEqual(['auth', 'cache', 'cors', 'history', 'host', 'limits', 'maxConnections', 'metrics', 'packs', 'port', 'publicUrl', 'requestTimeout', 'store', 'storeTimeout', 'trustProxy', 'web']);
    expect(Object.keys(schema.properties.client.properties).sort()).toEqual(['token', 'url']);
    expect(schema.properties.server.properties.port).toMatchObject({ type: 'integer', minimum: 0, maximum: 65535 });
  });

  it('is exported by @snek/core as @snek/core/snekrc.schema.json', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.exports['./snekrc.schema.json']).toBe('./dist/snekrc.schema.json');
  });
});
