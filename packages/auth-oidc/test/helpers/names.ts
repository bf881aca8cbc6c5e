/** The variable a test server reads the web client's secret from (options.clientSecretEnv). Apart from idp.ts so that tests without an IdP do not load oidc-provider. */
export const CLIENT_SECRET_ENV = 'SNEK_OIDC_CLIENT_SECRET';
