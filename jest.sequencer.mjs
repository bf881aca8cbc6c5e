import TestSequencer from '@jest/test-sequencer';

// Jest's own order (failed first, then slowest by the last run's timings, else largest file), with the load,
// soak and registry tiers ahead of the rest: their files take minutes each, and in a fresh clone Jest has no timings to know
// that. Started last, one of them would run alone at the end while the other worker sits idle.
export default class LongTiersFirst extends (TestSequencer.default ?? TestSequencer) {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const long = (test) => ['load', 'soak', 'registry'].includes(test.context.config.displayName?.name);
    return [...sorted.filter(long), ...sorted.filter((test) => !long(test))];
  }
}
