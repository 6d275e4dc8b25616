/**
 * Single sign-on's side of the store (auth/oidc.ts signInWithIdentity): the first sign-in by a
 * verified email links the identity (audited user.link_oidc), later ones find the user by issuer and
 * subject, even after their email changed; the same subject at another issuer is someone else; every
 * refusal is audited as sign_in.failure with its reason, and links nothing.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoUser } from '../../auth/demo-users.ts';
import { signInWithIdentity } from '../../auth/oidc.ts';
import { createSession } from '../../auth/sessions.ts';
import type { OidcIdentity } from '../../auth/oidc-rules.ts';
import { addUser, disableUser, findUser, unlinkOidc } from '../../auth/users.ts';
import { listAudit, verifyAudit, type Actor } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { tempDir } from '../helpers.ts';

const ADMIN: Actor = { id: null, name: 'cli:test', address: 'cli' };
const HERE = { address: '198.51.100.7', userAgent: 'test' };
const ISSUER = 'https://login.example.com';
let dir: string;
let store: OpsStore;

beforeEach(async () => {
  dir = await tempDir('arlens-oidc-users-');
  store = openOpsStore(join(dir, 'ops.sqlite'));
  addUser(store, ADMIN, { username: 'akiko', email: 'Akiko@Example.com', role: 'cfo', passwordHash: null });
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const id = (over: Partial<OidcIdentity> = {}): OidcIdentity => ({
  issuer: ISSUER,
  subject: 'sub-akiko',
  email: 'akiko@example.com',
  emailVerified: true,
  ...over,
});
const actions = () =>
  listAudit(store, { limit: 1000 })
    .map((e) => e.action)
    .reverse();
const last = (action: string) => {
  const e = listAudit(store, { action, limit: 1 })[0];
  return { ...e, after: JSON.parse(e?.after ?? 'null') as Record<string, unknown> };
};

describe('signInWithIdentity', () => {
  it('links on the first sign-in by a verified email (any case), then finds the user by subject', () => {
    const first = signInWithIdentity(store, id(), HERE);
    expect(first).toMatchObject({ ok: true, user: { username: 'akiko' } });
    expect(findUser(store, 'akiko')?.oidcSubject).toBe('sub-akiko');
    expect(last('user.link_oidc')).toMatchObject({
      actor: 'akiko',
      target: 'akiko',
      address: HERE.address,
      after: { issuer: ISSUER, subject: 'sub-akiko' },
    });
    // The provider's email changed: the link still holds, and nothing is linked again.
    const again = signInWithIdentity(
      store,
      id({ email: 'a.tanaka@example.com', emailVerified: false }),
      HERE,
    );
    expect(again).toMatchObject({ ok: true, user: { username: 'akiko' } });
    expect(actions().filter((a) => a === 'user.link_oidc')).toHaveLength(1);
    expect(verifyAudit(store)).toMatchObject({ ok: true });
  });

  it('never takes over a user linked to another identity, nor links by an unverified email', () => {
    signInWithIdentity(store, id(), HERE);
    const other = signInWithIdentity(store, id({ subject: 'sub-impostor' }), HERE);
    expect(other).toEqual({ ok: false, notice: 'failed', email: 'akiko@example.com' });
    expect(last('sign_in.failure')).toMatchObject({
      target: 'akiko',
      after: { method: 'oidc', reason: expect.stringMatching(/another/), subject: 'sub-impostor' },
    });
    // The same subject at another provider is another identity too.
    expect(signInWithIdentity(store, id({ issuer: 'https://other.example.com' }), HERE)).toMatchObject({
      ok: false,
    });
    addUser(store, ADMIN, {
      username: 'kenji',
      email: 'kenji@example.com',
      role: 'analyst',
      passwordHash: null,
    });
    const unverified = id({ subject: 'sub-kenji', email: 'kenji@example.com', emailVerified: false });
    expect(signInWithIdentity(store, unverified, HERE)).toMatchObject({ ok: false, notice: 'failed' });
    expect(findUser(store, 'kenji')?.oidcSubject).toBeNull();
    expect(last('sign_in.failure').after['reason']).toMatch(/not verified/);
  });

  it('refuses an unknown email with the email, a disabled user and a demo user, each audited', () => {
    expect(signInWithIdentity(store, id({ subject: 's2', email: 'nobody@example.com' }), HERE)).toEqual({
      ok: false,
      notice: 'unknown',
      email: 'nobody@example.com',
    });
    expect(last('sign_in.failure')).toMatchObject({
      actor: 'nobody@example.com',
      actorId: null,
      target: 'nobody@example.com',
      after: { reason: 'no ARLens user has this email' },
    });

    signInWithIdentity(store, id(), HERE);
    disableUser(store, ADMIN, 'akiko');
    expect(signInWithIdentity(store, id(), HERE)).toMatchObject({ ok: false, notice: 'failed' });
    expect(last('sign_in.failure')).toMatchObject({ target: 'akiko', after: { reason: 'account disabled' } });

    const demo = demoUser(store, { role: 'cfo', regions: [], portfolio: null });
    store.db.prepare('UPDATE users SET email = ? WHERE id = ?').run('demo@example.com', demo.id);
    const asDemo = signInWithIdentity(store, id({ subject: 's3', email: 'demo@example.com' }), HERE);
    expect(asDemo).toMatchObject({ ok: false, notice: 'failed' });
    expect(findUser(store, demo.username)?.oidcSubject).toBeNull();
    expect(actions().filter((a) => a === 'sign_in')).toHaveLength(0);
    expect(verifyAudit(store)).toMatchObject({ ok: true });
  });

  it('an admin unlinks an identity: the user is signed out, and the next sign-in links by email again', () => {
    const signedIn = signInWithIdentity(store, id(), HERE);
    if (!signedIn.ok) throw new Error('expected a sign-in');
    createSession(store, signedIn.user, 'oidc', HERE);
    const session = store.db.prepare('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL').get() as {
      n: number;
    };
    expect(session.n).toBe(1);
    expect(() => unlinkOidc(store, ADMIN, 'nobody')).toThrow(/nobody/);
    const after = unlinkOidc(store, ADMIN, 'akiko');
    expect(after.oidcSubject).toBeNull();
    expect(last('user.unlink_oidc')).toMatchObject({
      actor: ADMIN.name,
      target: 'akiko',
      after: { issuer: null, subject: null, sessions_revoked: 1 },
    });
    expect(JSON.parse(last('user.unlink_oidc').before ?? 'null')).toEqual({
      issuer: ISSUER,
      subject: 'sub-akiko',
    });
    expect(() => unlinkOidc(store, ADMIN, 'akiko')).toThrow('akiko has no single-sign-on link.');
    // The old subject no longer finds her; her new identity links by her verified email.
    const relinked = signInWithIdentity(store, id({ subject: 'sub-akiko-2' }), HERE);
    expect(relinked).toMatchObject({ ok: true, user: { username: 'akiko' } });
    expect(findUser(store, 'akiko')?.oidcSubject).toBe('sub-akiko-2');
    expect(verifyAudit(store)).toMatchObject({ ok: true });
  });
});
