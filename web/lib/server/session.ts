/**
 * The dashboard's side of sessions (the store and the rules are auth/sessions.ts). The browser holds
 * an opaque random token in an httpOnly, SameSite=Strict cookie; the server looks it up on every
 * request, so sign-out, a disabled user or a changed role end it at once. The browser never sees the
 * API secret nor a token it could use elsewhere: its Cube requests carry the cookie and the ARLens
 * server (server/index.ts) turns the session into a token of one minute for Cube.
 *
 * Cookies are `Secure` when the dashboard is served over https (ORIGIN=https://…, or the protocol
 * header a TLS proxy sets, see server/index.ts), and not otherwise: a browser ignores a Secure cookie
 * (or a Secure deletion) sent over plain http to a host that is not localhost, which is why sign-out
 * used to fail on http://arlens.internal. The attributes are always given explicitly.
 */
import type { Cookies, RequestEvent } from '@sveltejs/kit';
import {
  createSession,
  endSession as revokeSession,
  readSession as liveSession,
  type Client,
  type LiveSession,
  type SessionSettings,
  type SignInMethod,
} from '../../../auth/sessions.ts';
import type { OidcFlow } from '../../../auth/oidc.ts';
import type { User } from '../../../auth/users.ts';
import type { OpsStore } from '../../../ops/store.ts';

export const SESSION_COOKIE = 'arlens_session';
export const LANG_COOKIE = 'arlens_lang';

interface Provided {
  readonly ops: OpsStore;
  readonly sessions: SessionSettings;
  /** The warehouse holds the generated demo data only: one-click demo users (server/demo.ts). */
  readonly demo: boolean;
  /** Single sign-on is configured (the sign-in page offers it; /signin/oidc runs the flow). */
  readonly oidc: { readonly label: string; readonly flow: OidcFlow } | null;
}

const KEY = Symbol.for('arlens.auth');

/** Given once by the server (server/index.ts) before the first request. */
export function provideAuth(p: Provided): void {
  (globalThis as Record<symbol, unknown>)[KEY] = p;
}

export function auth(): Provided {
  const p = (globalThis as Record<symbol, unknown>)[KEY] as Provided | undefined;
  if (!p) {
    throw new Error(
      'The dashboard runs inside the ARLens server: start it with `npm start` or `arlens serve`.',
    );
  }
  return p;
}

export function demoSignIn(): boolean {
  return auth().demo;
}

/** `Secure` for cookies of a request to `url`: only when the dashboard is reached over https. */
export function secureCookies(url: URL): boolean {
  return url.protocol === 'https:';
}

/** Who is asking: the client's address (as the server sees it) and browser. */
export function client(event: Pick<RequestEvent, 'getClientAddress' | 'request'>): Client {
  let address = 'unknown';
  try {
    address = event.getClientAddress();
  } catch {
    // Not available (e.g. a test calling the handler directly).
  }
  return { address, userAgent: event.request.headers.get('user-agent') };
}

export function readSession(cookies: Cookies): LiveSession | null {
  const { ops, sessions, demo } = auth();
  return liveSession(ops, cookies.get(SESSION_COOKIE), { settings: sessions, demo });
}

/** Open a session for `user` and set its cookie (it lives as long as the session may). */
export function startSession(event: RequestEvent, user: User, method: SignInMethod): void {
  const { ops, sessions } = auth();
  const s = createSession(ops, user, method, client(event), sessions);
  event.cookies.set(SESSION_COOKIE, s.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies(event.url),
    maxAge: sessions.absoluteSeconds,
  });
}

export function endSession(event: RequestEvent): void {
  revokeSession(auth().ops, event.cookies.get(SESSION_COOKIE), client(event));
  event.cookies.delete(SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secureCookies(event.url),
  });
}
