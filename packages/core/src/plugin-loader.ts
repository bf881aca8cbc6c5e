import { SnekError } from './errors.js';
import { beforeDeadline, secondsOf } from './deadline.js';
import { titleOf, type PluginKind } from './plugin-kind.js';
import { resolvePlugin, type FoundPlugin } from './plugin-resolve.js';
import { describeThrown } from './thrown.js';

export interface LoadPluginContext<Plugin = unknown> {
  configDir: string;
  /** Says where `use` came from in errors, e.g. "server.packs[1] in /srv/.snekrc". */
  origin: string;
  /** Module URLs whose dependencies are searched after configDir, normally `import.meta.url` of the server. */
  fallbackFrom?: readonly string[] | undefined;
  /** How long loading may take, counted from the call: the import must finish within it; default 10 s. */
  timeoutMs?: number | undefined;
  /** How to raise the time limit, for the timeout message: "raise server.storeTimeout in /srv/.snekrc". */
  timeoutHint?: string | undefined;
  /** Told as each phase succeeds, for `verify-store`'s report. */
  onPhase?: ((done: PluginPhaseDone<Plugin>) => void) | undefined;
}

/** What a phase found. */
export type PluginPhaseDone<Plugin = unknown> =
  | { phase: 'resolve'; found: FoundPlugin }
  | { phase: 'import'; exports: string[] }
  | { phase: 'validate'; plugin: Plugin };

export type PluginPhase = PluginPhaseDone['phase'];

export interface LoadedPlugin<Plugin> {
  plugin: Plugin;
  found: FoundPlugin;
  /** When the time of `timeoutMs` runs out (ms since the epoch): what follows loading, such as a store's create(), gets the rest. */
  deadline: number;
}

export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/**
 * Resolves `use` as a plugin of `kind`, imports it within the deadline, and checks its default export and apiVersion.
 * Every failure is a SnekError with the kind's code for the phase, naming the plugin and what to do.
 */
export async function loadPlugin<Plugin>(kind: PluginKind<Plugin>, use: string, context: LoadPluginContext<Plugin>): Promise<LoadedPlugin<Plugin>> {
  const timeoutMs = context.timeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const found = await resolvePlugin(kind, use, context);
  context.onPhase?.({ phase: 'resolve', found });
  const module = await importPlugin(kind, found, { deadline, timeoutMs, timeoutHint: context.timeoutHint });
  context.onPhase?.({ phase: 'import', exports: Object.keys(module) });
  const plugin = validatePlugin(kind, module, kind.name({ use, origin: context.origin, specifier: found.specifier }));
  context.onPhase?.({ phase: 'validate', plugin });
  return { plugin, found, deadline };
}

async function importPlugin(kind: PluginKind<unknown>, { specifier, url }: FoundPlugin, limit: { deadline: number; timeoutMs: number; timeoutHint: string | undefined }): Promise<Record<string, unknown>> {
  const title = titleOf(kind);
  let timeout: SnekError | undefined;
  const timedOut = () => {
    const next = limit.timeoutHint ? `, or ${limit.timeoutHint}` : '';
    return (timeout = new SnekError(kind.codes.loadFailed, `${title} "${specifier}" did not finish loading (import) within ${secondsOf(limit.timeoutMs)} s. Check what the ${kind.noun}'s module does at its top level${next}.`, {
      details: { phase: 'import', url },
    }));
  };
  try {
    return await beforeDeadline(() => import(url) as Promise<Record<string, unknown>>, limit.deadline, timedOut);
  } catch (error) {
    if (timeout !== undefined && error === timeout) throw error;
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      const fix = url.includes('/node_modules/') ? `Reinstall the ${kind.noun} so that its dependencies come with it: npm install ${specifier}` : `Run npm install in the ${kind.noun}'s own folder`;
      throw new SnekError(kind.codes.dependencyMissing, `${title} "${specifier}" was found at ${url}, but one of its own imports failed: ${describeThrown(error)}. ${fix}`, { cause: error });
    }
    throw new SnekError(kind.codes.loadFailed, `${title} "${specifier}" threw while loading (import) from ${url}: ${describeThrown(error)}. Fix or reinstall the ${kind.noun} package.`, { cause: error });
  }
}

function validatePlugin<Plugin>(kind: PluginKind<Plugin>, module: Record<string, unknown>, named: string): Plugin {
  let plugin = module['default'] as Record<string, unknown> | undefined;
  // CommonJS compiled from ESM puts the plugin at module.exports.default.
  if (plugin && typeof plugin === 'object' && !('apiVersion' in plugin) && typeof plugin['default'] === 'object') plugin = plugin['default'] as Record<string, unknown>;
  if (!plugin || typeof plugin !== 'object' || !('apiVersion' in plugin) || !kind.hasShape(plugin)) {
    throw new SnekError(kind.codes.invalidExport, `${named} has no valid default export: it exports ${describeExports(module)}. Its default export must be ${kind.expectedExport}.`, {
      details: { exports: Object.keys(module) },
    });
  }
  if (!kind.apiVersions.includes(plugin['apiVersion'])) {
    const latest = kind.apiVersions.at(-1);
    throw new SnekError(kind.codes.apiVersion, `${named} declares apiVersion ${JSON.stringify(plugin['apiVersion'])}, but this server supports ${kind.apiVersions.join(', ')}. Install a version of the ${kind.noun} built for API ${String(latest)}, or upgrade @snek/server.`, {
      details: { declared: plugin['apiVersion'], supported: [...kind.apiVersions] },
    });
  }
  return kind.accept(plugin, named);
}

function describeExports(module: Record<string, unknown>): string {
  const keys = Object.keys(module);
  if (!keys.length) return 'nothing';
  return keys.map((key) => `${key} (${module[key] === null ? 'null' : typeof module[key]})`).join(', ');
}
