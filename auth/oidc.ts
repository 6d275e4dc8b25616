/**
 * Single sign-on through OpenID Connect (`openid-client`): the authorization code flow with PKCE,
 * state and nonce, against one provider found by discovery of its issuer.
 *
 *   begin(next)   a fresh state, nonce and PKCE verifier, sealed into the transaction the browser
 *                 carries in a short-lived cookie (auth/oidc-rules.ts), and the provider's
 *                 authorization URL to send it to;
 *   finish(...)   the provider's answer at the redirect URI: the transaction opened, the answer's
 *                 state and the ID token's nonce, issuer, audience and signature checked and the code
 *                 exchanged with the verifier (openid-client), then the identity matched to an ARLens
 *                 user (matchIdentity) and, on the first sign-in by email, linked to it.
 *
 * Who is signed in is decided here; opening the session (and auditing the sign-in, method `oidc`) is
 * the caller's, through createSession. A failure after a transaction was opened is audited as
 * `sign_in.failure` with its reason; a callback without a valid transaction is refused without an
 * entry (anyone can request that address, and it identifies no one).
 */
import * as client from 'openid-client';
import { appendAudit, type Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import {
  identityOf,
  isLoopback,
  issuerUrl,
  matchIdentity,
  openTransaction,
  sealTransaction,
  TRANSACTION_SECONDS,
  type OidcIdentity,
  type SsoNotice,
} from './oidc-rules.ts';
import type { Client } from './sessions.ts';
import { findByEmail, findByOidc, linkOidc, type User } from './users.ts';

/** The settings as the configuration file spells them (`auth.oidc`), plus the client secret. */
export interface OidcSettings {
  readonly issuer: string;
  readonly client_id: string;
  /** The sign-in button's words ("Sign in with <label>"). */
  readonly label?: string;
  /** This server's public address; the redirect URI is `<public_url>/signin/oidc/callback`. */
  readonly public_url?: string;
  /** From ARLENS_OIDC_CLIENT_SECRET; without one ARLens is a public client (PKCE only). */
  readonly client_secret?: string;
}

export interface OidcFlowOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  /** The redirect URI registered with the provider (asked for at each sign-in). */
  readonly redirectUri: () => string;
  /** Seals transactions (transactionKey of the server's secret). */
  readonly key: Buffer;
  readonly store: OpsStore;
}

export interface Begun {
  /** The provider's authorization URL. */
  readonly url: URL;
  /** The transaction cookie's value. */
  readonly transaction: string;
}

export type Finished =
  | { readonly ok: true; readonly user: User; readonly next: string }
  | { readonly ok: false; readonly notice: SsoNotice; readonly email: string | null; readonly next: string };

export interface OidcFlow {
  begin(next: string): Promise<Begun>;
  /** `callback` is the URL the browser came back to (its query is read; the rest is the redirect URI). */
  finish(callback: URL, transaction: string | undefined, who: Client): Promise<Finished>;
}

const now = () => Math.floor(Date.now() / 1000);

/** An error of the provider or the flow in a few words for the audit log (codes only, no tokens). */
function why(e: unknown): string {
  const code = (s: unknown) =>
    String(s)
      .replace(/[^A-Za-z0-9_.-]/g, '')
      .slice(0, 64);
  if (e instanceof client.AuthorizationResponseError) return `the provider answered ${code(e.error)}`;
  if (e instanceof client.ResponseBodyError) return `the provider refused the code: ${code(e.error)}`;
  // openid-client wraps the check that failed (e.g. 'unexpected "state" response parameter value').
  if (e instanceof Error) {
    const detail = e.cause instanceof Error && e.cause.message !== e.message ? `: ${e.cause.message}` : '';
    return `${e.message}${detail}`.slice(0, 200);
  }
  return 'unknown error';
}

/**
 * Sign in with an identity the provider vouched for: the user it matches, linking the identity on
 * the first sign-in by email (audited `user.link_oidc`), or why not (audited `sign_in.failure`).
 */
export function signInWithIdentity(
  store: OpsStore,
  identity: OidcIdentity,
  who: Client,
): { ok: true; user: User } | { ok: false; notice: SsoNotice; email: string | null } {
  const bySubject = findByOidc(store, identity.issuer, identity.subject);
  const byEmail = bySubject || identity.email === null ? null : findByEmail(store, identity.email);
  const match = matchIdentity(identity, bySubject, byEmail);
  if (!match.ok) {
    auditFailure(store, who, match.reason, identity, match.user);
    return { ok: false, notice: match.notice, email: identity.email };
  }
  if (match.link) {
    const actor: Actor = { id: match.user.id, name: match.user.username, address: who.address };
    linkOidc(store, actor, match.user.id, identity.issuer, identity.subject);
  }
  return { ok: true, user: match.user };
}

function auditFailure(
  store: OpsStore,
  who: Client,
  reason: string,
  identity: Partial<OidcIdentity>,
  user: User | null,
): void {
  const name = user?.username ?? identity.email ?? (identity.subject ? `oidc:${identity.subject}` : 'oidc');
  appendAudit(
    store,
    { id: user?.id ?? null, name: name.slice(0, 200), address: who.address },
    {
      action: 'sign_in.failure',
      target: user?.username ?? identity.email ?? null,
      after: {
        method: 'oidc',
        reason,
        ...(identity.issuer ? { issuer: identity.issuer } : {}),
        ...(identity.subject ? { subject: identity.subject } : {}),
        ...(identity.email ? { email: identity.email } : {}),
      },
    },
  );
}

/**
 * The identity as the UserInfo endpoint tells it (same subject, checked by openid-client), or as the
 * ID token told it when there is no such endpoint or it fails: a linked user needs no email.
 */
async function userInfo(
  config: client.Configuration,
  accessToken: string,
  identity: OidcIdentity,
): Promise<OidcIdentity> {
  try {
    const info = await client.fetchUserInfo(config, accessToken, identity.subject);
    return identityOf(identity.issuer, { ...info, sub: identity.subject }) ?? identity;
  } catch (e) {
    console.error(`single sign-on: the UserInfo endpoint failed (${why(e)}); using the ID token's claims`);
    return identity;
  }
}

export function createOidcFlow(o: OidcFlowOptions): OidcFlow {
  const issuer = issuerUrl(o.issuer);
  let discovered: Promise<client.Configuration> | null = null;
  /** The provider's metadata, discovered at the first sign-in (and again after a failed discovery). */
  const configuration = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(
        issuer,
        o.clientId,
        o.clientSecret,
        o.clientSecret ? client.ClientSecretBasic(o.clientSecret) : client.None(),
        issuer.protocol === 'http:' && isLoopback(issuer.hostname)
          ? { execute: [client.allowInsecureRequests], timeout: 15 }
          : { timeout: 15 },
      )
      .catch((e: unknown) => {
        discovered = null;
        throw e;
      });
    return discovered;
  };

  return {
    async begin(next) {
      const config = await configuration();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: o.redirectUri(),
        scope: 'openid email',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      const transaction = sealTransaction(
        { state, nonce, verifier, next, expiresAt: now() + TRANSACTION_SECONDS },
        o.key,
      );
      return { url, transaction };
    },

    async finish(callback, sealed, who) {
      const t = openTransaction(sealed, o.key, now());
      if (!t) return { ok: false, notice: 'failed', email: null, next: '' };
      const refuse = (reason: string, identity: Partial<OidcIdentity> = {}): Finished => {
        auditFailure(o.store, who, reason, identity, null);
        return { ok: false, notice: 'failed', email: null, next: t.next };
      };
      let identity: OidcIdentity | null;
      try {
        const config = await configuration();
        // The answer's parameters at the registered redirect URI (a proxy may have rewritten the host).
        const current = new URL(o.redirectUri());
        current.search = callback.search;
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: t.verifier,
          expectedState: t.state,
          expectedNonce: t.nonce,
          idTokenExpected: true,
        });
        const iss = config.serverMetadata().issuer;
        const claims = tokens.claims();
        identity = claims ? identityOf(iss, claims) : null;
        if (identity && !identity.emailVerified && tokens.access_token) {
          // Many providers put the email (or its verification) in the UserInfo answer only.
          const more = await userInfo(config, tokens.access_token, identity);
          if (more.email !== null) identity = more;
        }
      } catch (e) {
        return refuse(why(e), { issuer: o.issuer });
      }
      if (!identity) return refuse('the ID token has no subject', { issuer: o.issuer });
      const result = signInWithIdentity(o.store, identity, who);
      return result.ok
        ? { ok: true, user: result.user, next: t.next }
        : { ok: false, notice: result.notice, email: result.email, next: t.next };
    },
  };
}
