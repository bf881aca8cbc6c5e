export { scaffoldStore, type ScaffoldOptions, type ScaffoldResult } from './scaffold.js';
export { storeNames, defaultPackageName, assertPackageName, type StoreNames } from './names.js';
export { storeManifest } from './manifest.js';
export { SNEK_CORE_RANGE, STORE_TESTKIT_RANGE, DEV_TOOL_RANGES } from './versions.js';
export { nextSteps, packageManagerFrom, type PackageManager } from './next-steps.js';
export { main, EXIT } from './main.js';
