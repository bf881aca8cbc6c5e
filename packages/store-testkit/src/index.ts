export { describeStoreConformance } from './conformance.js';
export type { ConformanceContext, ConformanceOptions } from './harness.js';
export type { TestRunner, TestFunction } from './runner.js';
export { sampleSnek, pageThrough, TRICKY_CONTENT } from './sample-sneks.js';
