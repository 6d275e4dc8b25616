/**
 * Accounts and sessions in the store: scopes are checked, every change is audited and revokes the
 * user's sessions when it should, lock-out per account (whether the name exists or not) and per
 * address, idle and absolute lifetimes, demo users only while the demo is served, and first run.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureAdmin } from '../../auth/first-run.ts';
import { demoUser } from '../../auth/demo-users.ts';
import { hashPassword, verifyPassword } from '../../auth/passwords.ts';
import { createSession, endSession, LOCKOUT, readSession, signInWithPassword } from '../../auth/sessions.ts';
import {
  addUser,
  disableUser,
  enableUser,
  findUser,
  setPasswordHash,
  setRole,
  userContext,
} from '../../auth/users.ts';
import { listAudit, verifyAudit, type Actor } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { tempDir } from '../helpers.ts';

const ADMIN: Actor = { id: null, name: 'cli:test', address: 'cli' };
const HERE = { address: '198.51.100.7', userAgent: 'test' };
const PASSWORD = 'correct horse battery staple';
let dir: string;
let store: OpsStore;

beforeEach(async () => {
  dir = await tempDir('arlens-users-');
  store = openOpsStore(join(dir, 'ops.sqlite'));
});
afterEach(async () => {
  vi.useRealTimers();
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const add = async (username: string, role: 'cfo' | 'sales_lead' = 'cfo') =>
  addUser(store, ADMIN, {
    username,
    role,
    ...(role === 'sales_lead' ? { regions: ['EMEA'] } : {}),
    passwordHash: await hashPassword(PASSWORD),
  });

describe('passwords', () => {
  it('salted scrypt: the same password hashes differently, verifies, and a wrong one does not', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$14\$8\$1\$/);
    expect(await verifyPassword(PASSWORD, a)).toEqual({ ok: true, rehash: false });
    expect((await verifyPassword('correct horse battery stapler', a)).ok).toBe(false);
    expect((await verifyPassword(PASSWORD, null)).ok).toBe(false);
    expect((await verifyPassword(PASSWORD, 'scrypt$99$8$1$AAAA$AAAA')).ok).toBe(false);
  });
});

describe('users', () => {
  it('checks scopes and names, and audits every change without the hash', async () => {
    await expect(async () =>
      addUser(store, ADMIN, { username: 'x', role: 'sales_lead', passwordHash: null }),
    ).rejects.toThrow(/at least one region/);
    expect(() => addUser(store, ADMIN, { username: 'x', role: 'collector', passwordHash: null })).toThrow(
      /portfolio/,
    );
    expect(() =>
      addUser(store, ADMIN, { username: 'x', role: 'cfo', regions: ['EMEA'], passwordHash: null }),
    ).toThrow(/Only a sales lead/);
    expect(() =>
      addUser(store, ADMIN, { username: "x'; DROP TABLE users;--", role: 'cfo', passwordHash: null }),
    ).toThrow(/cannot be a user name/);
    await add('akiko');
    await expect(add('AKIKO')).rejects.toThrow(/exists already/);
    setRole(store, ADMIN, 'akiko', { role: 'sales_lead', regions: ['APAC', 'APAC', ' '] });
    expect(userContext(findUser(store, 'akiko')!)).toMatchObject({ role: 'sales_lead', regions: ['APAC'] });
    const log = listAudit(store);
    expect(log.map((e) => e.action)).toEqual(['user.set_role', 'user.add']);
    expect(JSON.parse(log[0]!.before!)).toMatchObject({ role: 'cfo' });
    expect(JSON.parse(log[0]!.after!)).toMatchObject({ role: 'sales_lead', regions: ['APAC'] });
    expect(log.map((e) => `${e.before}${e.after}`).join('')).not.toContain('scrypt');
  });

  it('disabling, a new role or a new password revoke sessions at once; enabling does not revive them', async () => {
    const u = await add('kenji');
    const s1 = createSession(store, u, 'password', HERE);
    expect(readSession(store, s1.token)?.user.username).toBe('kenji');
    disableUser(store, ADMIN, 'kenji');
    expect(readSession(store, s1.token)).toBeNull();
    enableUser(store, ADMIN, 'kenji');
    expect(readSession(store, s1.token)).toBeNull();
    const s2 = createSession(store, findUser(store, 'kenji')!, 'password', HERE);
    setRole(store, ADMIN, 'kenji', { role: 'analyst' });
    expect(readSession(store, s2.token)).toBeNull();
    const s3 = createSession(store, findUser(store, 'kenji')!, 'password', HERE);
    setPasswordHash(store, ADMIN, 'kenji', await hashPassword('another long passphrase'));
    expect(readSession(store, s3.token)).toBeNull();
    expect(() => disableUser(store, { id: 1, name: 'kenji', address: null }, 'kenji')).toThrow(/your own/);
    expect(verifyAudit(store).ok).toBe(true);
  });
});

describe('sign-in and sessions', () => {
  it('signs in with the right password only; the store keeps no session token', async () => {
    await add('akiko');
    expect(await signInWithPassword(store, 'akiko', 'wrong password!!', HERE)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await signInWithPassword(store, 'nobody', PASSWORD, HERE)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const ok = await signInWithPassword(store, 'Akiko', PASSWORD, HERE);
    expect(ok.ok).toBe(true);
    const s = createSession(store, findUser(store, 'akiko')!, 'password', HERE);
    const ids = store.db
      .prepare('SELECT id FROM sessions')
      .all()
      .map((r) => String(r['id']));
    expect(ids).not.toContain(s.token);
    expect(listAudit(store).map((e) => e.action)).toEqual([
      'sign_in',
      'sign_in.failure',
      'sign_in.failure',
      'user.add',
    ]);
    endSession(store, s.token, HERE);
    expect(readSession(store, s.token)).toBeNull();
    expect(listAudit(store)[0]!.action).toBe('sign_out');
  });

  it('locks an account after 5 failures in 15 minutes, even with the right password, and the same for a name that does not exist', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T09:00:00Z'));
    await add('akiko');
    for (const name of ['akiko', 'ghost']) {
      for (let i = 0; i < LOCKOUT.perAccount - 1; i++) {
        expect((await signInWithPassword(store, name, 'nope nope nope', HERE)).ok).toBe(false);
      }
      expect(await signInWithPassword(store, name, 'nope nope nope', HERE)).toMatchObject({
        reason: 'locked',
      });
      expect(await signInWithPassword(store, name, PASSWORD, HERE)).toMatchObject({ reason: 'locked' });
    }
    expect(listAudit(store, { action: 'sign_in.locked' }).map((e) => e.target)).toEqual(['ghost', 'akiko']);
    // 15 minutes after the failures, the account opens again.
    vi.setSystemTime(new Date('2026-12-01T09:15:01Z'));
    expect((await signInWithPassword(store, 'akiko', PASSWORD, HERE)).ok).toBe(true);
  });

  it('an admin reset clears the lock-out', async () => {
    await add('akiko');
    for (let i = 0; i < LOCKOUT.perAccount; i++)
      await signInWithPassword(store, 'akiko', 'nope nope nope', HERE);
    setPasswordHash(store, ADMIN, 'akiko', await hashPassword('a brand new passphrase'));
    expect((await signInWithPassword(store, 'akiko', 'a brand new passphrase', HERE)).ok).toBe(true);
  });

  it('refuses an address after 20 failures across names, while another address still signs in', async () => {
    await add('akiko');
    for (let i = 0; i < LOCKOUT.perAddress; i++) {
      await signInWithPassword(store, `name${i % 7}`, 'nope nope nope', HERE);
    }
    expect(await signInWithPassword(store, 'akiko', PASSWORD, HERE)).toMatchObject({
      reason: 'address_limited',
    });
    expect((await signInWithPassword(store, 'akiko', PASSWORD, { address: '203.0.113.9' })).ok).toBe(true);
  });

  it('a disabled user is told so only after the right password', async () => {
    await add('akiko');
    disableUser(store, ADMIN, 'akiko');
    expect(await signInWithPassword(store, 'akiko', 'nope nope nope', HERE)).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await signInWithPassword(store, 'akiko', PASSWORD, HERE)).toEqual({
      ok: false,
      reason: 'disabled',
    });
  });

  it('ends a session after the idle time and after the absolute lifetime', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T09:00:00Z'));
    const u = await add('akiko');
    const settings = { idleSeconds: 30 * 60, absoluteSeconds: 2 * 3600 };
    const s = createSession(store, u, 'password', HERE, settings);
    vi.setSystemTime(new Date('2026-12-01T09:29:00Z'));
    expect(readSession(store, s.token, { settings })).not.toBeNull();
    vi.setSystemTime(new Date('2026-12-01T09:58:00Z'));
    expect(readSession(store, s.token, { settings })).not.toBeNull();
    vi.setSystemTime(new Date('2026-12-01T10:29:00Z'));
    expect(readSession(store, s.token, { settings })).toBeNull();
    const t = createSession(store, u, 'password', HERE, settings);
    for (const hhmm of ['10:50', '11:15', '11:40', '12:05']) {
      vi.setSystemTime(new Date(`2026-12-01T${hhmm}:00Z`));
      expect(readSession(store, t.token, { settings }), hhmm).not.toBeNull();
    }
    vi.setSystemTime(new Date('2026-12-01T12:30:00Z'));
    expect(readSession(store, t.token, { settings })).toBeNull();
  });

  it('demo users: one per role and scope, no password, sessions only while the demo is served', async () => {
    const cfo = demoUser(store, { role: 'cfo', regions: [], portfolio: null });
    expect(demoUser(store, { role: 'cfo', regions: [], portfolio: null }).id).toBe(cfo.id);
    const jp = demoUser(store, { role: 'collector', regions: [], portfolio: '山田 太郎' });
    expect(jp.username).toMatch(/^demo-collector-x-[0-9a-f]{6}$/);
    expect(jp.portfolio).toBe('山田 太郎');
    const s = createSession(store, cfo, 'demo', HERE);
    expect(readSession(store, s.token, { demo: true })).not.toBeNull();
    expect(readSession(store, s.token, { demo: false })).toBeNull();
    expect((await signInWithPassword(store, cfo.username, '', HERE)).ok).toBe(false);
  });

  it('first run: one admin, from ARLENS_ADMIN_PASSWORD or generated; never a second', async () => {
    vi.stubEnv('ARLENS_ADMIN_PASSWORD', 'short');
    await expect(ensureAdmin(store)).rejects.toThrow(/at least 12/);
    vi.stubEnv('ARLENS_ADMIN_PASSWORD', '');
    const first = await ensureAdmin(store);
    expect(first).toMatchObject({ created: true, username: 'admin' });
    const password = first.created ? first.password! : '';
    expect(password).toHaveLength(20);
    expect((await signInWithPassword(store, 'admin', password, HERE)).ok).toBe(true);
    expect(await ensureAdmin(store)).toEqual({ created: false });
    vi.unstubAllEnvs();
  });
});
