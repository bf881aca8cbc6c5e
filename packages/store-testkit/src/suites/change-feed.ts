import type { SnekStore, StoreChangeFeed } from '@snek/core';
import { failsWith } from '../assertions.js';
import type { Harness } from '../harness.js';
import { sampleSnek } from '../sample-sneks.js';

/** The optional StoreChangeFeed: a wake whenever the log may have grown; the server reads the log itself. */
export function changeFeedSuite(harness: Harness<SnekStore & StoreChangeFeed>): void {
  harness.describe('watchChanges(wake) (optional: StoreChangeFeed)', () => {
    harness.test('resolves once it listens; a write through the store wakes it; the function it resolves stops it', async (stores) => {
      const store = await stores.fresh();
      let armed = false;
      let woken!: () => void;
      const wokenAfterWrite = new Promise<void>((resolve) => (woken = resolve));
      // A wake before the write is allowed (the feed may wake after it connects); only one after it counts.
      const stop = await store.watchChanges(() => {
        if (armed) woken();
      });
      armed = true;
      await store.put(sampleSnek('a'));
      await wokenAfterWrite;
      await stop();
      await store.put(sampleSnek('b'));
    });

    harness.test('two watchers on one store are both woken by one write', async (stores) => {
      const store = await stores.fresh();
      let armed = false;
      const watchers = [0, 1].map(() => {
        let woken!: () => void;
        return { woken: new Promise<void>((resolve) => (woken = resolve)), wake: () => armed && woken() };
      });
      const stops = await Promise.all(watchers.map((watcher) => store.watchChanges(watcher.wake)));
      armed = true;
      await store.put(sampleSnek('a'));
      await Promise.all(watchers.map((watcher) => watcher.woken));
      await Promise.all(stops.map((stop) => stop()));
    });

    harness.test('fails with a SnekError STORE_CLOSED after close()', async (stores) => {
      const store = await stores.fresh();
      await stores.release(store);
      await failsWith('STORE_CLOSED', 'watchChanges() after close()', () => store.watchChanges(() => undefined));
    });
  });
}
