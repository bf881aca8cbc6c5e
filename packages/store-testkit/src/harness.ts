import assert from 'node:assert/strict';
import type { SnekStore, StoreCapabilityName, StoreContext } from '@snek/core';
import { CAPABILITIES, lacking, type StoreWith } from './capabilities.js';
import { declareTest, type TestRunner } from './runner.js';

/**
 * What the kit passes to `create` and `reopen`: the parts of the plugin's `StoreContext` a check sets, such as
 * `history.keep` for the retention checks. Pass it on: `create: (context) => plugin.create(options, { configDir, ...context })`.
 */
export type ConformanceContext = Pick<StoreContext, 'history'>;

/** What a store's own test passes to {@link describeStoreConformance}. */
export interface ConformanceOptions {
  /** A fresh, empty store for each test, opened with `context` (most checks pass `{}`). */
  create: (context: ConformanceContext) => SnekStore | Promise<SnekStore>;
  /** A new instance on the same storage as `store`, for persistence checks, with the context `store` was created with. The kit closes `store` first. */
  reopen?: (store: SnekStore, context: ConformanceContext) => SnekStore | Promise<SnekStore>;
  /** For a store with StoreFileBackup: opens a store on the file `backupTo` wrote, to check what it holds. */
  openBackup?: (file: string) => SnekStore | Promise<SnekStore>;
  supports?: {
    /** Checks that data survives close and reopen; needs `reopen`. Default: true when `reopen` is given. */
    persistence?: boolean;
  };
  /** Runs once after every test, e.g. to remove the temp folders `create` made. Needs `runner.afterAll`. */
  cleanup?: () => void | Promise<void>;
  /** Runs of the model-based random test; default 200. */
  modelRuns?: number;
  /**
   * The time limit of every test, in milliseconds, in place of the kit's own: the runner's default for most tests
   * (node:test, which has none: 30 s) and 60 to 300 s for the racing and random ones.
   */
  timeout?: number;
  /** The test runner's `{ describe, it }` (and `afterAll`, for `cleanup`). Default: Jest's globals. */
  runner?: TestRunner;
}

/** The stores one test opened; every one is closed when the test ends, whatever it did. */
export class TestStores<S extends SnekStore> {
  private readonly open = new Set<SnekStore>();
  private readonly contexts = new WeakMap<SnekStore, ConformanceContext>();

  constructor(
    private readonly options: ConformanceOptions,
    private readonly narrow: (store: SnekStore) => S,
  ) {}

  async fresh(context: ConformanceContext = {}): Promise<S> {
    return this.narrow(this.track(await this.options.create(context), context));
  }

  /** Closes `store` and opens its storage again, with the context it was created with. */
  async reopen(store: S): Promise<S> {
    const context = this.contexts.get(store) ?? {};
    await store.close();
    return this.narrow(this.track(await this.options.reopen!(store, context), context));
  }

  /** A store on a file `backupTo` wrote, closed with the others; needs the `openBackup` option. */
  async openBackup(file: string): Promise<SnekStore> {
    if (!this.options.openBackup) throw new Error('openBackup was not given');
    return this.track(await this.options.openBackup(file), {});
  }

  /** Closes `store` now, for tests of what happens after close. */
  async release(store: SnekStore): Promise<void> {
    this.open.delete(store);
    await store.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((store) => store.close().catch(() => undefined)));
    this.open.clear();
  }

  private track(store: SnekStore, context: ConformanceContext): SnekStore {
    this.open.add(store);
    this.contexts.set(store, context);
    return store;
  }
}

interface HarnessSettings<S extends SnekStore> {
  options: ConformanceOptions;
  runner: TestRunner;
  /** The optional capabilities of the first store `create` gave. */
  capabilities: ReadonlySet<StoreCapabilityName>;
  narrow: (store: SnekStore) => S;
  skipReason?: string | undefined;
}

/**
 * Declares the kit's tests on the runner. A harness made by {@link Harness.skipping} declares each test as
 * skipped, its name saying why, so a check that cannot run is reported, never passed with nothing asserted.
 */
export class Harness<S extends SnekStore = SnekStore> {
  private constructor(private readonly settings: HarnessSettings<S>) {}

  static create(options: ConformanceOptions, runner: TestRunner, capabilities: ReadonlySet<StoreCapabilityName>): Harness {
    return new Harness({ options, runner, capabilities, narrow: (store) => store });
  }

  get options(): ConformanceOptions {
    return this.settings.options;
  }

  /** Why the persistence checks cannot run, or undefined when they can. */
  get noPersistence(): string | undefined {
    if (!this.options.reopen) return 'no reopen option was given';
    if (this.options.supports?.persistence === false) return 'supports.persistence is false';
    return undefined;
  }

  /** This harness, or, without persistence checks, one that skips saying why. */
  get reopening(): Harness<S> {
    const reason = this.noPersistence;
    return reason === undefined ? this : this.skipping(reason);
  }

  describe(name: string, fn: () => void): void {
    this.settings.runner.describe(name, fn);
  }

  test(name: string, body: (stores: TestStores<S>) => Promise<void>, timeout?: number): void {
    const { runner, options, narrow, skipReason } = this.settings;
    if (skipReason !== undefined) {
      runner.it.skip(`${name} — skipped: ${skipReason}`, () => undefined);
      return;
    }
    declareTest(
      runner,
      name,
      async () => {
        const stores = new TestStores(options, narrow);
        try {
          await body(stores);
        } finally {
          await stores.closeAll();
        }
      },
      options.timeout ?? timeout,
    );
  }

  /** The same tests, declared as skipped for `reason`. */
  skipping(reason: string): Harness<S> {
    return new Harness({ ...this.settings, skipReason: this.settings.skipReason ?? reason });
  }

  /**
   * A harness whose stores have the optional capability `name`, checked on every store `create` gives; when the
   * first store lacked it, one that skips saying so.
   */
  withCapability<N extends StoreCapabilityName>(name: N): Harness<S & StoreWith<N>> {
    const { guard, methods } = CAPABILITIES[name];
    const checked = this.narrowedTo(guard as unknown as (store: SnekStore) => store is S & StoreWith<N>, methods);
    return this.settings.capabilities.has(name) ? checked : checked.skipping(lacking(name));
  }

  private narrowedTo<T extends S>(guard: (store: SnekStore) => store is T, capability: string): Harness<T> {
    const narrow = (store: SnekStore): T => {
      const narrowed = this.settings.narrow(store);
      assert.ok(guard(narrowed), `create() gave a store without ${capability}, although the first store it gave had it`);
      return narrowed;
    };
    return new Harness({ ...this.settings, narrow });
  }
}
