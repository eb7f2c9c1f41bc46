/**
 * Sign-in through an OpenID Connect provider (DESIGN §5.4), with openid-client: the authorization
 * code flow with PKCE, state and nonce. The provider proves who the person is; passend matches
 * them to a user by their (verified) email and then makes its own session, as a sign-in link does.
 * Discovery happens on first use and is retried after a failure, so a provider that is down at
 * start does not stop the service.
 */
import * as client from 'openid-client';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** What the browser keeps between the redirect to the provider and its return (an HttpOnly cookie). */
export interface OidcPending {
  state: string;
  nonce: string;
  verifier: string;
}

export const CALLBACK_PATH = '/inloggen/oidc/terug';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function oidcClient(settings: OidcSettings) {
  let configuration: Promise<client.Configuration> | null = null;
  const issuer = new URL(settings.issuer);
  const config = (): Promise<client.Configuration> => {
    configuration ??= client.discovery(issuer, settings.clientId, settings.clientSecret, undefined,
      // Plain http only for a provider on this machine (development and tests).
      issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? { execute: [client.allowInsecureRequests] } : undefined)
      .catch((err: unknown) => { configuration = null; throw err; });
    return configuration;
  };

  return {
    /** Where to send the browser, and what to keep until it comes back. */
    async start(base: string): Promise<{ url: string; pending: OidcPending }> {
      const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
      const url = client.buildAuthorizationUrl(await config(), {
        redirect_uri: `${base}${CALLBACK_PATH}`, scope: 'openid email profile', state: pending.state, nonce: pending.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier), code_challenge_method: 'S256',
      });
      return { url: url.href, pending };
    },

    /** The verified email of the person the provider signed in; undefined when it gave none. */
    async finish(currentUrl: URL, pending: OidcPending): Promise<string | undefined> {
      const tokens = await client.authorizationCodeGrant(await config(), currentUrl, {
        pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce,
      });
      const claims = tokens.claims();
      const email = claims?.email;
      return typeof email === 'string' && claims?.email_verified !== false ? email : undefined;
    },
  };
}

export type OidcClient = ReturnType<typeof oidcClient>;
