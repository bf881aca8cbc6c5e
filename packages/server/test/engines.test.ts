import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

// The Node versions the README promises: `npm install` of any of our packages must not warn EBADENGINE on them.
const CLAIMED = ['20.19.0', '24.0.0', '26.0.0'];
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Manifest {
  name: string;
  version?: string;
  private?: boolean;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readManifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** The workspace packages that are published (not "private"), by folder. */
function publishable(): string[] {
  return ['packages', 'examples']
    .flatMap((group) => readdirSync(path.join(ROOT, group)).map((name) => path.join(ROOT, group, name)))
    .filter((dir) => existsSync(path.join(dir, 'package.json')) && !readManifest(dir).private);
}

/** Where Node would find `name` from `dir`: the nearest node_modules/name up the tree, with symlinks resolved. */
function resolveFrom(dir: string, name: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(at) === at) return undefined;
  }
}

/** Every production dependency of `roots`, transitively: dependencies and optionalDependencies, never dev. */
function productionTree(roots: string[]): { packages: Map<string, Manifest>; missing: string[] } {
  const packages = new Map<string, Manifest>();
  const missing: string[] = [];
  const queue = [...roots];
  while (queue.length) {
    const dir = queue.shift()!;
    if (packages.has(dir)) continue;
    const manifest = readManifest(dir);
    packages.set(dir, manifest);
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
      const found = resolveFrom(dir, name);
      if (found) queue.push(found);
      // An optional dependency may be absent (another platform's binary); a required one may not.
      else if (!optional.has(name)) missing.push(`${name} (from ${manifest.name})`);
    }
  }
  return { packages, missing };
}

describe('engines: every Node we claim may install every published package', () => {
  const roots = publishable();
  const { packages, missing } = productionTree(roots);

  it('finds the published packages and their whole production tree in node_modules', () => {
    expect(roots.length).toBeGreaterThanOrEqual(10);
    expect(missing).toEqual([]);
    // express alone brings dozens; a walk that found only our own packages would prove nothing.
    expect(packages.size).toBeGreaterThan(roots.length + 50);
  });

  it(`every production dependency's engines.node admits ${CLAIMED.join(', ')}, or is absent`, () => {
    const refused = [...packages.values()]
      .filter((manifest) => manifest.engines?.node !== undefined)
      .flatMap((manifest) => CLAIMED.filter((version) => !semver.satisfies(version, manifest.engines!.node!)).map((version) => `${manifest.name}@${manifest.version} (engines.node "${manifest.engines!.node}") refuses Node ${version}`));
    expect(refused).toEqual([]);
  });

  it('our own packages claim exactly what the repository claims', () => {
    const claim = readManifest(ROOT).engines?.node;
    expect(claim).toBe('>=20.19');
    expect(semver.satisfies('20.18.0', claim!)).toBe(false);
    for (const version of CLAIMED) expect(semver.satisfies(version, claim!)).toBe(true);
    expect(roots.map((dir) => [readManifest(dir).name, readManifest(dir).engines?.node])).toEqual(roots.map((dir) => [readManifest(dir).name, claim]));
  });
});
