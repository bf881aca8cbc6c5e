import { readFile } from 'node:fs/promises';
import { describe, expect, it } from '@jest/globals';
import { getDefaultSearchPlaces, globalConfigSearchPlaces } from 'cosmiconfig';

// docs/configuration.md lists where a config is looked for; loadConfig takes cosmiconfig's defaults, so the list must be theirs.
const doc = await readFile(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('docs/configuration.md', () => {
  it("lists the search places in cosmiconfig's order", () => {
    const listed = /<!-- search-places -->([\s\S]*?)<!-- \/search-places -->/.exec(doc)![1]!;
    expect(names(listed).filter((name) => name !== '"snek"')).toEqual(getDefaultSearchPlaces('snek'));
  });

  it("lists the global config files in cosmiconfig's order", () => {
    const line = doc.slice(doc.indexOf('3. else, in `$XDG_CONFIG_HOME/snek/`'));
    const global = names(line.slice(0, line.indexOf('\n\n'))).filter((name) => name.startsWith('config'));
    expect(global).toEqual(globalConfigSearchPlaces);
  });
});
