import { afterAll, afterEach } from '@jest/globals';
import type { SnekStore } from '@snek/core';

/** What a store's own test passes to {@link describeStoreConformance}. */
export interface ConformanceOptions {
  /** A fresh, empty store for each test. */
  create: () => SnekStore | Promise<SnekStore>;
  /** A new instance on the same storage as `store`, for persistence checks. The kit closes `store` first. */
  reopen?: (store: SnekStore) => SnekStore | Promise<SnekStore>;
  supports?: {
    /** Checks that data survives close and reopen; needs `reopen`. Default: true when `reopen` is given. */
    persistence?: boolean;
    /** Checks putIf() and deleteIf() (StoreConditionalWriter), races included. Required true when the store has them. */
    conditionalWrites?: boolean;
  };
  /** Runs once after every test, e.g. to remove the temp folders `create` made. */
  cleanup?: () => void | Promise<void>;
  /** Runs of the model-based random test; default 200. */
  modelRuns?: number;
}

/** Hands out stores and closes every one of them after each test, whatever the test did. */
export class Harness {
  private readonly open = new Set<SnekStore>();

  constructor(readonly options: ConformanceOptions) {
    afterEach(async () => {
      await Promise.all([...this.open].map((store) => store.close().catch(() => undefined)));
      this.open.clear();
    });
    afterAll(async () => {
      await options.cleanup?.();
    });
  }

  get persistence(): boolean {
    return Boolean(this.options.reopen) && this.options.supports?.persistence !== false;
  }

  async fresh(): Promise<SnekStore> {
    return this.track(await this.options.create());
  }

  async reopen(store: SnekStore): Promise<SnekStore> {
    await store.close();
    return this.track(await this.options.reopen!(store));
  }

  async release(store: SnekStore): Promise<void> {
    this.open.delete(store);
    await store.close();
  }

  private track(store: SnekStore): SnekStore {
    this.open.add(store);
    return store;
  }
}
