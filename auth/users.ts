/**
 * User accounts in the operational store. A user has one role; a sales lead has regions, a credit
 * controller a portfolio. Every change is audited with the state before and after (never the
 * password hash), and a change that alters what the user may see or who they are (disable, role,
 * password) revokes their sessions at once.
 */
import type { Actor } from '../ops/audit.ts';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { isRole, type Role } from './policy.ts';
import type { SecurityContext } from './tokens.ts';

export interface User {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly email: string | null;
  readonly role: Role;
  readonly regions: readonly string[];
  readonly portfolio: string | null;
  readonly demo: boolean;
  readonly disabled: boolean;
  readonly hasPassword: boolean;
  readonly oidcSubject: string | null;
  readonly createdAt: string;
}

interface Row {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  role: string;
  regions: string;
  portfolio: string | null;
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  demo: number;
  disabled_at: string | null;
  created_at: string;
}

function fromRow(r: Row): User {
  if (!isRole(r.role)) throw new Error(`User ${r.username} has an unknown role "${r.role}" in the store.`);
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    role: r.role,
    regions: JSON.parse(r.regions) as string[],
    portfolio: r.portfolio,
    demo: r.demo === 1,
    disabled: r.disabled_at !== null,
    hasPassword: r.password_hash !== null,
    oidcSubject: r.oidc_subject,
    createdAt: r.created_at,
  };
}

/** What an audit entry says about a user (no hash, no secrets). */
function snapshot(u: User) {
  return {
    username: u.username,
    name: u.displayName,
    email: u.email,
    role: u.role,
    regions: u.regions,
    portfolio: u.portfolio,
    disabled: u.disabled,
  };
}

/** The rules a change can break; the dashboard words each one in the user's language (admin.rule.*). */
export type UserRule =
  | 'unknownRole'
  | 'salesLeadNeedsRegion'
  | 'regionsOnlySalesLead'
  | 'collectorNeedsPortfolio'
  | 'portfolioOnlyCollector'
  | 'badUsername'
  | 'badEmail'
  | 'nameTaken'
  | 'emailTaken'
  | 'noSuchUser'
  | 'disableSelf'
  | 'noSsoLink';

/** A rule a change breaks: `message` in English for the CLI, `rule` and `params` for the dashboard. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly rule: UserRule | null = null,
    readonly params: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export interface Scope {
  readonly role: Role;
  readonly regions?: readonly string[];
  readonly portfolio?: string | null;
}

/** The role's scope, checked: regions for a sales lead only, a portfolio for a credit controller only. */
export function checkScope(s: Scope): { role: Role; regions: string[]; portfolio: string | null } {
  if (!isRole(s.role))
    throw new UserError(`Unknown role "${String(s.role)}".`, 'unknownRole', { role: String(s.role) });
  const regions = [...new Set((s.regions ?? []).map((r) => r.trim()).filter((r) => r !== ''))];
  const portfolio = s.portfolio?.trim() || null;
  if (s.role === 'sales_lead' && regions.length === 0) {
    throw new UserError('A sales lead needs at least one region (--region).', 'salesLeadNeedsRegion');
  }
  if (s.role !== 'sales_lead' && regions.length > 0)
    throw new UserError('Only a sales lead has regions.', 'regionsOnlySalesLead');
  if (s.role === 'collector' && !portfolio) {
    throw new UserError(
      'A credit controller needs a portfolio (--portfolio: their name in the exports).',
      'collectorNeedsPortfolio',
    );
  }
  if (s.role !== 'collector' && portfolio)
    throw new UserError('Only a credit controller has a portfolio.', 'portfolioOnlyCollector');
  return { role: s.role, regions, portfolio };
}

/** The claims of a signed-in user (what Cube and the pages filter on). */
export function userContext(u: User): SecurityContext {
  const who = { uid: u.id, name: u.displayName };
  if (u.role === 'sales_lead') return { role: u.role, ...who, regions: [...u.regions] };
  if (u.role === 'collector') return { role: u.role, ...who, portfolio: u.portfolio ?? '' };
  return { role: u.role, ...who };
}

const byName = (store: OpsStore, username: string) =>
  store.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;

export function findUser(store: OpsStore, username: string): User | null {
  const r = byName(store, username);
  return r ? fromRow(r) : null;
}

export function getUser(store: OpsStore, id: number): User | null {
  const r = store.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
  return r ? fromRow(r) : null;
}

/** The stored hash of a user's password (for sign-in only; never leaves the auth module). */
export function passwordHash(store: OpsStore, id: number): string | null {
  const r = store.db.prepare('SELECT password_hash FROM users WHERE id = ?').get(id) as
    { password_hash: string | null } | undefined;
  return r?.password_hash ?? null;
}

export function listUsers(store: OpsStore, options: { demo?: boolean } = {}): User[] {
  const rows = store.db
    .prepare('SELECT * FROM users WHERE (? IS NULL OR demo = ?) ORDER BY username')
    .all(
      options.demo === undefined ? null : Number(options.demo),
      options.demo === undefined ? null : Number(options.demo),
    ) as unknown as Row[];
  return rows.map(fromRow);
}

/** Whether any account other than the demo ones exists (first run creates an admin when none does). */
export function hasRealUsers(store: OpsStore): boolean {
  return store.db.prepare('SELECT 1 FROM users WHERE demo = 0 LIMIT 1').get() !== undefined;
}

export interface NewUser extends Scope {
  readonly username: string;
  readonly displayName?: string;
  readonly email?: string | null;
  /** A scrypt hash (auth/passwords.ts), or null for a single-sign-on or demo account. */
  readonly passwordHash: string | null;
  readonly demo?: boolean;
}

export function addUser(store: OpsStore, actor: Actor, n: NewUser): User {
  const username = n.username.trim();
  if (!USERNAME.test(username)) {
    throw new UserError(
      `"${n.username}" cannot be a user name: use 1 to 64 letters, digits, dots, dashes, underscores or @.`,
      'badUsername',
      { username: n.username },
    );
  }
  const scope = checkScope(n);
  const email = n.email?.trim() || null;
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw new UserError(`"${email}" is not an email address.`, 'badEmail', { email });
  return store.write(() => {
    if (byName(store, username))
      throw new UserError(`A user named ${username} exists already.`, 'nameTaken', { username });
    if (email && store.db.prepare('SELECT 1 FROM users WHERE email = ?').get(email)) {
      throw new UserError(`Another user has the email ${email}.`, 'emailTaken', { email });
    }
    const now = new Date().toISOString();
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO users (username, display_name, email, role, regions, portfolio, password_hash, demo, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        username,
        n.displayName?.trim() || username,
        email,
        scope.role,
        JSON.stringify(scope.regions),
        scope.portfolio,
        n.passwordHash,
        n.demo ? 1 : 0,
        now,
        now,
      );
    const user = getUser(store, Number(lastInsertRowid))!;
    appendAudit(store, actor, { action: 'user.add', target: user.username, after: snapshot(user) });
    return user;
  });
}

function mustFind(store: OpsStore, username: string): User {
  const u = findUser(store, username);
  if (!u)
    throw new UserError(`No user named ${username}: arlens users list shows them.`, 'noSuchUser', {
      username,
    });
  return u;
}

/** Revoke every live session of a user (in the caller's transaction). Returns how many. */
export function revokeSessions(store: OpsStore, userId: number, reason: string): number {
  const { changes } = store.db
    .prepare(
      'UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL',
    )
    .run(Math.floor(Date.now() / 1000), reason, userId);
  return Number(changes);
}

function change(
  store: OpsStore,
  actor: Actor,
  username: string,
  action: string,
  apply: (u: User) => void,
  revoke: string | null,
): User {
  return store.write(() => {
    const before = mustFind(store, username);
    apply(before);
    store.db.prepare('UPDATE users SET updated_at = ? WHERE id = ?').run(new Date().toISOString(), before.id);
    const after = getUser(store, before.id)!;
    const revoked = revoke ? revokeSessions(store, before.id, revoke) : 0;
    appendAudit(store, actor, {
      action,
      target: before.username,
      before: snapshot(before),
      after: { ...snapshot(after), ...(revoked > 0 ? { sessions_revoked: revoked } : {}) },
    });
    return after;
  });
}

export function disableUser(store: OpsStore, actor: Actor, username: string): User {
  if (actor.name === username) throw new UserError('You cannot disable your own account.', 'disableSelf');
  return change(
    store,
    actor,
    username,
    'user.disable',
    (u) =>
      store.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(new Date().toISOString(), u.id),
    'user disabled',
  );
}

export function enableUser(store: OpsStore, actor: Actor, username: string): User {
  return change(
    store,
    actor,
    username,
    'user.enable',
    (u) => store.db.prepare('UPDATE users SET disabled_at = NULL WHERE id = ?').run(u.id),
    null,
  );
}

export function setRole(store: OpsStore, actor: Actor, username: string, scope: Scope): User {
  const s = checkScope(scope);
  return change(
    store,
    actor,
    username,
    'user.set_role',
    (u) =>
      store.db
        .prepare('UPDATE users SET role = ?, regions = ?, portfolio = ? WHERE id = ?')
        .run(s.role, JSON.stringify(s.regions), s.portfolio, u.id),
    'role changed',
  );
}

export function setPasswordHash(store: OpsStore, actor: Actor, username: string, hash: string): User {
  return change(
    store,
    actor,
    username,
    'user.reset_password',
    (u) => {
      store.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, u.id);
      store.db.prepare('DELETE FROM sign_in_failures WHERE username = ?').run(u.username);
    },
    'password reset',
  );
}

/** Link a single-sign-on identity to a user (first OIDC sign-in by a matching email). */
export function linkOidc(store: OpsStore, actor: Actor, id: number, issuer: string, subject: string): void {
  store.write(() => {
    store.db
      .prepare('UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?')
      .run(issuer, subject, id);
    appendAudit(store, actor, {
      action: 'user.link_oidc',
      target: getUser(store, id)?.username ?? String(id),
      after: { issuer, subject },
    });
  });
}

/**
 * Remove a user's single-sign-on link (their identity at the provider changed, or it was linked to the
 * wrong person). Their sessions end; their next single sign-on links again by verified email. Audited
 * with the link it removed.
 */
export function unlinkOidc(store: OpsStore, actor: Actor, username: string): User {
  return store.write(() => {
    const before = mustFind(store, username);
    if (before.oidcSubject === null)
      throw new UserError(`${username} has no single-sign-on link.`, 'noSsoLink', { username });
    const { oidc_issuer: issuer } = store.db
      .prepare('SELECT oidc_issuer FROM users WHERE id = ?')
      .get(before.id) as { oidc_issuer: string | null };
    store.db
      .prepare('UPDATE users SET oidc_issuer = NULL, oidc_subject = NULL, updated_at = ? WHERE id = ?')
      .run(new Date().toISOString(), before.id);
    const revoked = revokeSessions(store, before.id, 'single-sign-on link removed');
    appendAudit(store, actor, {
      action: 'user.unlink_oidc',
      target: before.username,
      before: { issuer, subject: before.oidcSubject },
      after: { issuer: null, subject: null, ...(revoked > 0 ? { sessions_revoked: revoked } : {}) },
    });
    return getUser(store, before.id)!;
  });
}

export function findByOidc(store: OpsStore, issuer: string, subject: string): User | null {
  const r = store.db
    .prepare('SELECT * FROM users WHERE oidc_issuer = ? AND oidc_subject = ?')
    .get(issuer, subject) as Row | undefined;
  return r ? fromRow(r) : null;
}

export function findByEmail(store: OpsStore, email: string): User | null {
  const r = store.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
  return r ? fromRow(r) : null;
}
