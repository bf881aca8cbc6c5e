export { createApp, type CreateAppOptions } from './app.js';
export { startServer, type StartServerOptions, type RunningServer } from './start.js';
export { openApiDocument } from './openapi.js';
export { digestToken, writeTokenDigests, type TokenDigests } from './write-auth.js';
export { createLogger } from './logger.js';
export { verifyStore, type VerifyStoreOptions } from './verify-store.js';
