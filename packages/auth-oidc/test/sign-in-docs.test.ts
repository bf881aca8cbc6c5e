// docs/sign-in.md and the README's company sign-in: every YAML example is a whole .snekrc that the real config loader takes, and each oidc entry's
// options are ones the real provider takes; the options tables list exactly what the code reads.
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@snek/core';
import { tempDir } from '../../core/test/helpers/temp-dir.js';
import proxy from '../../auth-proxy/src/index.js';
import oidc, { oidcOptionsSchema } from '../src/index.js';
import { context } from './helpers/provider.js';

const DOC = await readFile(new URL('../../../docs/sign-in.md', import.meta.url), 'utf8');
const README = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
const yamlBlocks = (text: string) => [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
// Every block of the guide, and the README's company sign-in.
const examples = [...yamlBlocks(DOC), ...yamlBlocks(README).filter((block) => block.startsWith('# .snekrc with company sign-in\n'))];
const dir = await tempDir('snek-sign-in-docs-');
afterAll(() => dir.cleanup());

/** The first column of the table that follows `heading` (a line of the doc). */
function optionTable(heading: string): string[] {
  const rest = DOC.slice(DOC.indexOf(heading));
  const table = rest.slice(rest.indexOf('| option |'));
  return [...table.slice(0, table.indexOf('\n\n')).matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]!);
}

describe('docs/sign-in.md', () => {
  it('has an example for oidc-provider, Keycloak, Entra ID, Okta, Google and oauth2-proxy', () => {
    const titles = examples.map((text) => text.split('\n')[0]);
    for (const name of ['oidc-provider', 'Keycloak', 'Microsoft Entra ID', 'Okta', 'Google Workspace', 'oauth2-proxy', 'with company sign-in']) expect(titles.some((title) => title!.includes(name))).toBe(true);
  });

  it.each(examples.map((text) => [text.split('\n')[0]!, text]))('%s loads as a .snekrc, and its oidc options make a provider', async (title, text) => {
    expect(title).toMatch(/^# \.snekrc/);
    const file = await dir.write(`${examples.indexOf(text)}/.snekrc`, text);
    const loaded = await loadConfig({ configPath: file, env: {} });
    const entries = loaded.config.server.auth.signIn ?? [];
    expect(entries.length).toBeGreaterThan(0);
    for (const [index, entry] of entries.entries()) {
      if (entry.use === 'oidc') {
        // The server refuses to start a redirect sign-in without it.
        expect(loaded.config.server.publicUrl).toMatch(/^https?:\/\//);
        const provider = await oidc.create(entry.options as never, context({ env: { [String(entry.options?.['clientSecretEnv'])]: 'the secret' }, origin: `${title} [${index}]` }));
        expect(provider.describe?.()['issuer']).toBe(entry.options?.['issuer']);
      } else {
        // The proxy provider's own option checks, and its keys are the ones this page documents.
        expect(entry.use).toBe('proxy');
        expect(optionTable('## oauth2-proxy in front')).toEqual(expect.arrayContaining(Object.keys(entry.options ?? {})));
        expect((await proxy.create(entry.options as never, context({ origin: `${title} [${index}]` }))).displayName).toEqual(expect.any(String));
      }
    }
  });

  it("lists exactly the oidc provider's options", () => {
    expect(optionTable("## The `oidc` provider's options").sort()).toEqual(Object.keys(oidcOptionsSchema.shape).sort());
  });
});
