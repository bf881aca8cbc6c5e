import { defineAuthProvider, SnekError, type AuthProvider } from '@snek/core';
import { BearerVerifier } from './bearer.js';
import { CodeFlow } from './code-flow.js';
import { LazyDiscovery } from './discovery.js';
import { parseOidcOptions, type OidcOptionsInput } from './options.js';

/** `server.auth.signIn: [{ use: oidc, options }]`: company sign-in over OpenID Connect. */
export default defineAuthProvider<OidcOptionsInput>({
  apiVersion: 1,
  name: 'oidc',
  create(rawOptions, context) {
    const options = parseOidcOptions(rawOptions, context.origin);
    const secret = context.env[options.clientSecretEnv];
    if (!secret) {
      throw new SnekError('AUTH_OPTIONS_INVALID', `The oidc sign-in provider (${context.origin}) reads its client secret from the environment variable ${options.clientSecretEnv} (options.clientSecretEnv), which is not set. Set it to the secret of client ${options.clientId} before starting the server.`, {
        details: { provider: 'oidc', field: 'clientSecretEnv' },
      });
    }
    // Nothing here touches the network: discovery waits for the first sign-in or JWT.
    const discovery = new LazyDiscovery(options, secret);
    const bearer = new BearerVerifier(options, discovery);
    const callbackUrl = context.callbackUrl;
    const flow = callbackUrl === undefined ? undefined : new CodeFlow(options, discovery, callbackUrl);
    const noCallback = () =>
      new SnekError('AUTH_OPTIONS_INVALID', `The oidc sign-in provider (${context.origin}) needs the server's own URL for its callback: set server.publicUrl (such as https://snek.example.com) in .snekrc, and register <publicUrl>/signin/${context.name}/callback at the identity provider.`, {
        details: { provider: 'oidc', field: 'server.publicUrl' },
      });

    const provider: AuthProvider = {
      displayName: options.displayName ?? 'OpenID Connect',
      redirect: {
        start: () => (flow ? flow.start() : Promise.reject(noCallback())),
        finish: (callback, pending) => (flow ? flow.finish(callback, pending) : Promise.reject(noCallback())),
      },
      verifyBearer: (token) => bearer.verify(token),
      describe() {
        const described: Record<string, string> = { issuer: options.issuer };
        if (options.audience !== undefined) described['audience'] = options.audience;
        if (options.deviceClientId !== undefined) described['deviceClientId'] = options.deviceClientId;
        if (options.resource !== undefined) described['resource'] = options.resource;
        return described;
      },
    };
    return provider;
  },
});
