export { default } from './plugin.js';
export { oidcOptionsSchema, parseOidcOptions, DEFAULT_ALGORITHMS, DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_REQUEST_SCOPES, type OidcOptions, type OidcOptionsInput } from './options.js';
