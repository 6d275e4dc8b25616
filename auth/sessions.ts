/**
 * Signing in and server-side sessions. The browser holds a random 256-bit token in an httpOnly,
 * SameSite=Strict cookie; the store keeps only its SHA-256, so a copy of the store opens no session.
 * Every request looks the session up: signing out, disabling the user, changing their role or
 * password revoke at once. A session ends after `idleSeconds` without a request and `absoluteSeconds`
 * after sign-in, whichever comes first.
 *
 * Guessing is slowed per account and per address: after 5 failed sign-ins for one user name within 15
 * minutes the account is locked for the rest of that window (whether or not it exists, so the answer
 * says nothing about which names exist), and an address with 20 failures in 15 minutes is refused
 * until they age out. A correct password or an admin's reset clears the account's count.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendAudit, type Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { verifyPassword, hashPassword } from './passwords.ts';
import { findUser, getUser, passwordHash, type User } from './users.ts';

export interface SessionSettings {
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;
}

export const DEFAULT_SESSIONS: SessionSettings = { idleSeconds: 60 * 60, absoluteSeconds: 8 * 3600 };

export const LOCKOUT = { window: 15 * 60, perAccount: 5, perAddress: 20 } as const;

export interface Client {
  readonly address: string;
  readonly userAgent?: string | null;
}

export type SignInResult =
  | { readonly ok: true; readonly user: User }
  | {
      readonly ok: false;
      readonly reason: 'invalid' | 'locked' | 'address_limited' | 'disabled';
      readonly retryAfter?: number;
    };

const now = () => Math.floor(Date.now() / 1000);
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

function failures(store: OpsStore, column: 'username' | 'address', value: string, since: number): number {
  const r = store.db
    .prepare(`SELECT count(*) AS n FROM sign_in_failures WHERE ${column} = ? AND at > ?`)
    .get(value, since) as { n: number };
  return r.n;
}

function retryAfter(
  store: OpsStore,
  column: 'username' | 'address',
  value: string,
  t: number,
  limit: number,
): number {
  // The window reopens when the oldest failure that still counts ages out.
  const rows = store.db
    .prepare(`SELECT at FROM sign_in_failures WHERE ${column} = ? AND at > ? ORDER BY at DESC LIMIT ?`)
    .all(value, t - LOCKOUT.window, limit) as { at: number }[];
  const oldest = rows.at(-1)?.at ?? t;
  return Math.max(1, oldest + LOCKOUT.window - t);
}

export async function signInWithPassword(
  store: OpsStore,
  username: string,
  password: string,
  client: Client,
): Promise<SignInResult> {
  const name = username.trim().slice(0, 200);
  const t = now();
  const since = t - LOCKOUT.window;
  const actor: Actor = { id: null, name: name || '(empty)', address: client.address };
  if (failures(store, 'address', client.address, since) >= LOCKOUT.perAddress) {
    return {
      ok: false,
      reason: 'address_limited',
      retryAfter: retryAfter(store, 'address', client.address, t, LOCKOUT.perAddress),
    };
  }
  if (failures(store, 'username', name, since) >= LOCKOUT.perAccount) {
    return {
      ok: false,
      reason: 'locked',
      retryAfter: retryAfter(store, 'username', name, t, LOCKOUT.perAccount),
    };
  }
  const user = name ? findUser(store, name) : null;
  const usable = user && !user.demo;
  const verified = await verifyPassword(password, usable ? passwordHash(store, user.id) : null);
  if (!verified.ok) {
    const locked = store.write(() => {
      store.db
        .prepare('INSERT INTO sign_in_failures (username, address, at) VALUES (?, ?, ?)')
        .run(name, client.address, t);
      store.db.prepare('DELETE FROM sign_in_failures WHERE at < ?').run(t - 86400);
      appendAudit(store, actor, {
        action: 'sign_in.failure',
        target: name,
        after: { reason: 'wrong user name or password' },
      });
      const n = failures(store, 'username', name, since);
      if (n === LOCKOUT.perAccount) {
        appendAudit(store, actor, {
          action: 'sign_in.locked',
          target: name,
          after: { failures: n, minutes: LOCKOUT.window / 60 },
        });
      }
      return n >= LOCKOUT.perAccount;
    });
    return locked
      ? { ok: false, reason: 'locked', retryAfter: LOCKOUT.window }
      : { ok: false, reason: 'invalid' };
  }
  if (user!.disabled) {
    appendAudit(
      store,
      { ...actor, id: user!.id },
      { action: 'sign_in.failure', target: user!.username, after: { reason: 'account disabled' } },
    );
    return { ok: false, reason: 'disabled' };
  }
  if (verified.rehash) {
    const hash = await hashPassword(password);
    store.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, user!.id);
  }
  store.db.prepare('DELETE FROM sign_in_failures WHERE username = ?').run(name);
  return { ok: true, user: user! };
}

export interface NewSession {
  /** The cookie's value (shown once; the store keeps its hash). */
  readonly token: string;
  /** The session's CSRF token, which every state-changing request must send back. */
  readonly csrf: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
}

export type SignInMethod = 'password' | 'oidc' | 'demo';

/** Open a session for `user` and audit the sign-in. */
export function createSession(
  store: OpsStore,
  user: User,
  method: SignInMethod,
  client: Client,
  settings: SessionSettings = DEFAULT_SESSIONS,
): NewSession {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const t = now();
  const expiresAt = t + settings.absoluteSeconds;
  store.write(() => {
    store.db
      .prepare(
        `INSERT INTO sessions (id, user_id, method, csrf, created_at, last_seen_at, expires_at, address, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        digest(token),
        user.id,
        method,
        csrf,
        t,
        t,
        expiresAt,
        client.address,
        client.userAgent?.slice(0, 300) ?? null,
      );
    // Sessions that ended more than 30 days ago are of no use to anyone.
    store.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(t - 30 * 86400);
    appendAudit(
      store,
      { id: user.id, name: user.username, address: client.address },
      {
        action: 'sign_in',
        target: user.username,
        after: { method, role: user.role },
      },
    );
  });
  return { token, csrf, expiresAt };
}

export interface LiveSession {
  readonly user: User;
  readonly csrf: string;
  readonly method: SignInMethod;
  /** When it ends at the latest (absolute lifetime), seconds since the epoch. */
  readonly expiresAt: number;
}

/**
 * The live session of a cookie's token, or null (unknown, revoked, idle too long, past its
 * lifetime, the user disabled — or a demo user when demo sign-in is off). Refreshes the idle clock at
 * most once a minute.
 */
export function readSession(
  store: OpsStore,
  token: string | undefined,
  options: { settings?: SessionSettings; demo?: boolean } = {},
): LiveSession | null {
  if (!token || token.length > 100) return null;
  const settings = options.settings ?? DEFAULT_SESSIONS;
  const row = store.db.prepare('SELECT * FROM sessions WHERE id = ?').get(digest(token)) as
    | {
        id: string;
        user_id: number;
        csrf: string;
        method: string;
        last_seen_at: number;
        expires_at: number;
        revoked_at: number | null;
      }
    | undefined;
  const t = now();
  if (
    !row ||
    row.revoked_at !== null ||
    row.expires_at <= t ||
    row.last_seen_at + settings.idleSeconds <= t
  ) {
    return null;
  }
  const user = getUser(store, row.user_id);
  if (!user || user.disabled || (user.demo && !options.demo)) return null;
  if (t - row.last_seen_at >= 60) {
    store.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?').run(t, row.id);
  }
  return { user, csrf: row.csrf, method: row.method as SignInMethod, expiresAt: row.expires_at };
}

/** Sign out: revoke the session of this token and audit it. */
export function endSession(store: OpsStore, token: string | undefined, client: Client): void {
  if (!token) return;
  store.write(() => {
    const row = store.db
      .prepare('SELECT user_id FROM sessions WHERE id = ? AND revoked_at IS NULL')
      .get(digest(token)) as { user_id: number } | undefined;
    if (!row) return;
    store.db
      .prepare("UPDATE sessions SET revoked_at = ?, revoked_reason = 'signed out' WHERE id = ?")
      .run(now(), digest(token));
    const user = getUser(store, row.user_id);
    appendAudit(
      store,
      { id: row.user_id, name: user?.username ?? String(row.user_id), address: client.address },
      {
        action: 'sign_out',
        target: user?.username ?? null,
      },
    );
  });
}
