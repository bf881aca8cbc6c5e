import assert from 'node:assert/strict';
import type { SnekStore } from '@snek/core';
import { declareTest, type TestRunner } from './runner.js';

/** What a store's own test passes to {@link describeStoreConformance}. */
export interface ConformanceOptions {
  /** A fresh, empty store for each test. */
  create: () => SnekStore | Promise<SnekStore>;
  /** A new instance on the same storage as `store`, for persistence checks. The kit closes `store` first. */
  reopen?: (store: SnekStore) => SnekStore | Promise<SnekStore>;
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

  constructor(
    private readonly options: ConformanceOptions,
    private readonly narrow: (store: SnekStore) => S,
  ) {}

  async fresh(): Promise<S> {
    return this.narrow(this.track(await this.options.create()));
  }

  async reopen(store: S): Promise<S> {
    await store.close();
    return this.narrow(this.track(await this.options.reopen!(store)));
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

  private track(store: SnekStore): SnekStore {
    this.open.add(store);
    return store;
  }
}

/**
 * Declares the kit's tests on the runner. A harness made by {@link Harness.skipping} declares each test as
 * skipped, its name saying why, so a check that cannot run is reported, never passed with nothing asserted.
 */
export class Harness<S extends SnekStore = SnekStore> {
  constructor(
    readonly options: ConformanceOptions,
    private readonly runner: TestRunner,
    private readonly narrow: (store: SnekStore) => S,
    private readonly skipReason?: string,
  ) {}

  /** Why the persistence checks cannot run, or undefined when they can. */
  get noPersistence(): string | undefined {
    if (!this.options.reopen) return 'no reopen option was given';
    if (this.options.supports?.persistence === false) return 'supports.persistence is false';
    return undefined;
  }

  describe(name: string, fn: () => void): void {
    this.runner.describe(name, fn);
  }

  test(name: string, body: (stores: TestStores<S>) => Promise<void>, timeout?: number): void {
    if (this.skipReason !== undefined) {
      this.runner.it.skip(`${name} — skipped: ${this.skipReason}`, () => undefined);
      return;
    }
    declareTest(
      this.runner,
      name,
      async () => {
        const stores = new TestStores(this.options, this.narrow);
        try {
          await body(stores);
        } finally {
          await stores.closeAll();
        }
      },
      this.options.timeout ?? timeout,
    );
  }

  /** The same tests, declared as skipped for `reason`. */
  skipping(reason: string): Harness<S> {
    return new Harness(this.options, this.runner, this.narrow, this.skipReason ?? reason);
  }

  /** A harness whose stores are checked with `guard`: `create` must keep giving stores with the capability. */
  narrowedTo<T extends S>(guard: (store: SnekStore) => store is T, capability: string): Harness<T> {
    const narrow = (store: SnekStore): T => {
      const narrowed = this.narrow(store);
      assert.ok(guard(narrowed), `create() gave a store without ${capability}, although the first store it gave had it`);
      return narrowed;
    };
    return new Harness(this.options, this.runner, narrow, this.skipReason);
  }
}
