/**
 * The pure rules of single sign-on (the flow itself is auth/oidc.ts): which ARLens user an identity
 * from the provider signs in as, the signed transaction a browser carries between leaving for the
 * provider and coming back, and which addresses may be used at all.
 *
 * Matching: an identity already linked (issuer and subject) signs in as its user. Otherwise an email
 * the provider says it has verified finds the user with that email, who is then linked — once: a user
 * linked to another identity is never taken over by an email match. Demo users and disabled users
 * never sign in this way. Nothing here reads the store; the caller looks the candidates up.
 *
 * The transaction (state, nonce, PKCE verifier, the page to go on to) is sealed with HMAC-SHA256 under
 * a key only the server has, and expires after TRANSACTION_SECONDS. It holds nothing secret from the
 * browser that carries it: the verifier only proves that the code comes back to the browser that
 * started the sign-in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from './users.ts';

/** What the provider said about the person, after the ID token was validated. */
export interface OidcIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | null;
  /** Only `email_verified: true` counts; a missing claim is not a verification. */
  readonly emailVerified: boolean;
}

/** Where the sign-in page's notice comes from: `unknown` (no ARLens user, with the email) or `failed`. */
export type SsoNotice = 'unknown' | 'failed';

export type Match =
  | {
      readonly ok: true;
      readonly user: User;
      /** First sign-in by email: link the identity. */ readonly link: boolean;
    }
  | {
      readonly ok: false;
      readonly notice: SsoNotice;
      /** For the audit log (never shown to the browser). */
      readonly reason: string;
      readonly user: User | null;
    };

function usable(user: User, link: boolean): Match {
  if (user.demo) {
    return { ok: false, notice: 'failed', reason: 'demo users cannot use single sign-on', user };
  }
  if (user.disabled) return { ok: false, notice: 'failed', reason: 'account disabled', user };
  return { ok: true, user, link };
}

/**
 * Which user an identity signs in as. `bySubject` is the user linked to (issuer, subject), `byEmail`
 * the user whose email is the identity's (case-insensitive, as the store compares), each or null.
 */
export function matchIdentity(identity: OidcIdentity, bySubject: User | null, byEmail: User | null): Match {
  if (bySubject) return usable(bySubject, false);
  if (identity.email === null) {
    return {
      ok: false,
      notice: 'unknown',
      reason: 'no ARLens user is linked to this identity and the provider gave no email',
      user: null,
    };
  }
  if (!byEmail) {
    return { ok: false, notice: 'unknown', reason: 'no ARLens user has this email', user: null };
  }
  if (!identity.emailVerified) {
    return {
      ok: false,
      notice: 'failed',
      reason: 'the provider has not verified this email, so it cannot link the user',
      user: byEmail,
    };
  }
  if (byEmail.oidcSubject !== null) {
    return {
      ok: false,
      notice: 'failed',
      reason: 'the user with this email is linked to another single-sign-on identity',
      user: byEmail,
    };
  }
  return usable(byEmail, true);
}

/** The claims of an ID token or a UserInfo answer, read strictly (anything but a string is absent). */
export function identityOf(issuer: string, claims: Readonly<Record<string, unknown>>): OidcIdentity | null {
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub === '') return null;
  const email = claims['email'];
  return {
    issuer,
    subject: sub,
    email: typeof email === 'string' && email.trim() !== '' ? email.trim() : null,
    emailVerified: claims['email_verified'] === true,
  };
}

// ---------- the transaction

export interface Transaction {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** A same-origin path to go on to after signing in, or '' for the role's start page. */
  readonly next: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

/** How long a browser may take at the provider (signing in there, perhaps with a second factor). */
export const TRANSACTION_SECONDS = 10 * 60;

const VERSION = 'v1';

/** The key that seals transactions, derived from the server's secret (one secret per purpose). */
export function transactionKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('arlens oidc transaction v1').digest();
}

const mac = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`${VERSION}.${payload}`).digest('base64url');

/** The cookie value of a transaction. */
export function sealTransaction(t: Transaction, key: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify({ s: t.state, n: t.nonce, v: t.verifier, x: t.next, e: t.expiresAt }),
  ).toString('base64url');
  return `${VERSION}.${payload}.${mac(key, payload)}`;
}

const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * The transaction of a cookie value, or null when there is none, it was not sealed with `key`, is
 * malformed, or has expired at `now` (seconds since the epoch).
 */
export function openTransaction(value: string | undefined, key: Buffer, now: number): Transaction | null {
  if (!value || value.length > 2000) return null;
  const [version, payload, tag, ...rest] = value.split('.');
  if (version !== VERSION || !payload || !tag || rest.length > 0) return null;
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(tag);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { s, n, v, x, e } = fields;
  if (!isText(s, 200) || !isText(n, 200) || !isText(v, 200) || typeof x !== 'string' || x.length > 1000)
    return null;
  if (typeof e !== 'number' || !Number.isInteger(e) || e <= now) return null;
  return { state: s, nonce: n, verifier: v, next: x, expiresAt: e };
}

// ---------- addresses

/** localhost, 127.0.0.0/8 and ::1: the only hosts an issuer may be reached on over plain http. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * The issuer as a URL, checked: https, or http on this machine only (a provider started by tests or
 * on a developer's laptop). Throws a sentence naming the setting.
 */
export function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`auth.oidc.issuer "${issuer}" is not a URL.`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopback(url.hostname)) return url;
  throw new Error(`auth.oidc.issuer must be an https address (plain http only on localhost): "${issuer}".`);
}

/** The redirect URI to register with the provider: `<public_url>/signin/oidc/callback`. */
export function redirectUri(publicUrl: string): string {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new Error(`auth.oidc.public_url "${publicUrl}" is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`auth.oidc.public_url must be an http(s) address: "${publicUrl}".`);
  }
  if (url.search || url.hash) {
    throw new Error(`auth.oidc.public_url must have no query or fragment: "${publicUrl}".`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/signin/oidc/callback`;
}

/**
 * Where a failed single sign-on sends the browser: the sign-in page with a reason code (and, for an
 * unknown user, the email the provider gave), never free text.
 */
export function signinNotice(notice: SsoNotice, email: string | null, next: string): string {
  const q = new URLSearchParams({ sso: notice });
  if (notice === 'unknown' && email) q.set('email', email.slice(0, 200));
  if (next) q.set('next', next);
  return `/signin?${q.toString()}`;
}
