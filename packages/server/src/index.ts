export { createApp, type CreateAppOptions } from './app.js';
export { startServer, type StartServerOptions, type RunningServer } from './start.js';
export { openApiDocument } from './openapi.js';
export { accessPolicy, digestToken, requireScope, type AccessPolicy, type AccessToken } from './access.js';
export { sessionKeys, type Person, type Session, type SessionKeys } from './sessions.js';
export { guardStore } from './guarded-store.js';
export { createLogger } from './logger.js';
export { verifyStore, type VerifyStoreOptions } from './verify-store.js';
