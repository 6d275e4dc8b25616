/**
 * Sign-in sessions: the role's token lives in an httpOnly, SameSite=Strict cookie. The browser
 * never sees the secret nor a token it could read; its Cube requests carry the cookie and the ARLens
 * server (server/index.ts) takes the token from it. A session lives 8 hours at most (never longer
 * than the API token it was opened with).
 *
 * Cookies are `Secure` when the dashboard is served over https (ORIGIN=https://…, or the protocol
 * header a TLS proxy sets, see server/index.ts), and not otherwise: a browser ignores a Secure cookie
 * (or a Secure deletion) sent over plain http to a host that is not localhost, which is why sign-out
 * used to fail on http://arlens.internal. The attributes are always given explicitly, never left to
 * SvelteKit's defaults (secure except on localhost).
 */
import type { Cookies } from '@sveltejs/kit';
import {
  readToken,
  SESSION_SECONDS,
  signToken,
  type SecurityContext,
  type TokenResult,
} from '../../../cube/tokens.ts';

export const SESSION_COOKIE = 'arlens_session';
export const LANG_COOKIE = 'arlens_lang';
const SECRET_KEY = Symbol.for('arlens.api-secret');
const DEMO_KEY = Symbol.for('arlens.demo-sign-in');

export function provideApiSecret(secret: string): void {
  (globalThis as Record<symbol, unknown>)[SECRET_KEY] = secret;
}

function apiSecret(): string {
  const secret = (globalThis as Record<symbol, unknown>)[SECRET_KEY];
  if (typeof secret !== 'string') {
    throw new Error(
      'The dashboard runs inside the ARLens server: start it with `npm start` or `arlens serve`.',
    );
  }
  return secret;
}

/**
 * Whether /signin offers the demo role picker (any role, any region of the data): only when the
 * server serves the generated demo data set (`arlens start` without configured sources decides, see
 * server/demo.ts). Otherwise sign-in takes an API token printed by `npx arlens token` on the server.
 */
export function provideDemoSignIn(demo: boolean): void {
  (globalThis as Record<symbol, unknown>)[DEMO_KEY] = demo;
}

export function demoSignIn(): boolean {
  return (globalThis as Record<symbol, unknown>)[DEMO_KEY] === true;
}

/** `Secure` for cookies of a request to `url`: only when the dashboard is reached over https. */
export function secureCookies(url: URL): boolean {
  return url.protocol === 'https:';
}

export async function readSession(cookies: Cookies): Promise<SecurityContext | null> {
  const token = cookies.get(SESSION_COOKIE);
  if (!token) return null;
  const result = await readToken(apiSecret(), token, { maxLifetime: SESSION_SECONDS });
  return result.ok ? result.context : null;
}

/** Check an API token pasted at sign-in (API tokens' maximum lifetime). */
export function readApiToken(token: string): Promise<TokenResult> {
  return readToken(apiSecret(), token);
}

/**
 * Open a session for `context` on the response: 8 hours, or until `notAfter` (seconds since the
 * epoch: the expiry of the API token it was opened with) when that is sooner.
 */
export async function startSession(
  cookies: Cookies,
  url: URL,
  context: SecurityContext,
  notAfter?: number,
): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const expires = Math.min(now + SESSION_SECONDS, notAfter ?? Infinity);
  const token = await signToken(apiSecret(), context, expires, { maxLifetime: SESSION_SECONDS });
  cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies(url),
    maxAge: Math.max(0, expires - now),
  });
}

export function endSession(cookies: Cookies, url: URL): void {
  cookies.delete(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies(url),
  });
}
