import * as oidc from 'openid-client';
import type { OidcConfig } from '../config/config.js';

/** What the callback needs to finish a login: kept server-side between the redirect and the callback. */
export interface OidcLoginStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface OidcIdentity {
  readonly email: string;
  readonly subject: string;
}

export interface OidcClient {
  start(redirectUri: string): Promise<OidcLoginStart>;
  /** Exchanges the code (PKCE, state and nonce checked) and returns the verified e-mail of the person. */
  finish(
    callbackUrl: URL,
    checks: { state: string; nonce: string; codeVerifier: string },
  ): Promise<OidcIdentity>;
}

/**
 * OpenID Connect, authorization code flow with PKCE, as a confidential client.
 * Discovery runs on first use (and again after a failure), so an identity
 * provider that is down does not stop Changeboard from starting.
 */
export function createOidcClient(config: OidcConfig): OidcClient {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= oidc
      .discovery(
        new URL(config.issuer),
        config.clientId,
        undefined,
        oidc.ClientSecretPost(config.clientSecret),
        // config.ts accepts http only for a provider on this machine (development, tests).
        new URL(config.issuer).protocol === 'http:'
          ? { execute: [oidc.allowInsecureRequests], timeout: 10 }
          : { timeout: 10 },
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  return {
    async start(redirectUri) {
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url: url.href, state, nonce, codeVerifier };
    },
    async finish(callbackUrl, checks) {
      const tokens = await oidc.authorizationCodeGrant(await configuration(), callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the identity provider sent no ID token');
      let email = typeof claims.email === 'string' ? claims.email : undefined;
      let verified = claims.email_verified;
      if (!email) {
        const info = await oidc.fetchUserInfo(
          await configuration(),
          tokens.access_token,
          claims.sub,
        );
        email = typeof info.email === 'string' ? info.email : undefined;
        verified = info.email_verified;
      }
      if (!email) throw new Error('the identity provider did not say who this is (no email claim)');
      // An address the provider itself has not verified proves nothing about who signs in.
      if (verified === false) throw new Error(`the identity provider has not verified ${email}`);
      return { email, subject: claims.sub };
    },
  };
}
