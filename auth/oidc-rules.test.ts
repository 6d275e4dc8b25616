import { describe, expect, it } from 'vitest';
import {
  identityOf,
  isLoopback,
  issuerUrl,
  matchIdentity,
  openTransaction,
  redirectUri,
  sealTransaction,
  signinNotice,
  transactionKey,
  type OidcIdentity,
  type Transaction,
} from './oidc-rules.ts';
import type { User } from './users.ts';

const ISSUER = 'https://login.example.com';

function user(over: Partial<User> = {}): User {
  return {
    id: 1,
    username: 'akiko',
    displayName: 'Akiko',
    email: 'akiko@example.com',
    role: 'cfo',
    regions: [],
    portfolio: null,
    demo: false,
    disabled: false,
    hasPassword: false,
    oidcSubject: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

const identity = (over: Partial<OidcIdentity> = {}): OidcIdentity => ({
  issuer: ISSUER,
  subject: 'sub-1',
  email: 'akiko@example.com',
  emailVerified: true,
  ...over,
});

describe('matchIdentity', () => {
  const linked = user({ oidcSubject: 'sub-1' });
  it.for([
    // [case, identity, bySubject, byEmail, expected]
    ['linked by subject', identity(), linked, null, { ok: true, link: false }],
    ['linked, even with an unverified email', identity({ emailVerified: false }), linked, null, { ok: true }],
    ['first sign-in by a verified email: link', identity(), null, user(), { ok: true, link: true }],
    ['no user for the email', identity(), null, null, { ok: false, notice: 'unknown' }],
    ['no email and not linked', identity({ email: null }), null, null, { ok: false, notice: 'unknown' }],
    [
      'an unverified email never links',
      identity({ emailVerified: false }),
      null,
      user(),
      { ok: false, notice: 'failed', reason: expect.stringMatching(/not verified/) },
    ],
    [
      'a user linked to another identity is not taken over',
      identity(),
      null,
      user({ oidcSubject: 'sub-other' }),
      { ok: false, notice: 'failed', reason: expect.stringMatching(/another/) },
    ],
    [
      'disabled (linked)',
      identity(),
      user({ oidcSubject: 'sub-1', disabled: true }),
      null,
      { ok: false, notice: 'failed', reason: 'account disabled' },
    ],
    [
      'disabled (by email)',
      identity(),
      null,
      user({ disabled: true }),
      { ok: false, notice: 'failed', reason: 'account disabled' },
    ],
    [
      'a demo user',
      identity(),
      null,
      user({ demo: true }),
      { ok: false, notice: 'failed', reason: expect.stringMatching(/demo/) },
    ],
  ] as const)('%s', ([, id, bySubject, byEmail, expected]) => {
    expect(matchIdentity(id, bySubject, byEmail)).toMatchObject(expected);
  });
});

describe('identityOf', () => {
  it('reads sub, email and email_verified strictly', () => {
    expect(identityOf(ISSUER, { sub: 's', email: ' a@b.c ', email_verified: true })).toEqual({
      issuer: ISSUER,
      subject: 's',
      email: 'a@b.c',
      emailVerified: true,
    });
    expect(identityOf(ISSUER, { sub: 's', email: 'a@b.c', email_verified: 'true' })?.emailVerified).toBe(
      false,
    );
    expect(identityOf(ISSUER, { sub: 's' })).toMatchObject({ email: null, emailVerified: false });
    expect(identityOf(ISSUER, { sub: 's', email: 42 })?.email).toBeNull();
    expect(identityOf(ISSUER, { sub: '' })).toBeNull();
    expect(identityOf(ISSUER, { email: 'a@b.c' })).toBeNull();
  });
});

describe('the transaction', () => {
  const key = transactionKey('server-secret-0123456789-0123456789');
  const now = 1_800_000_000;
  const t: Transaction = {
    state: 'st',
    nonce: 'no',
    verifier: 've',
    next: '/credit?x=1',
    expiresAt: now + 600,
  };

  it('opens what it sealed, until it expires', () => {
    const sealed = sealTransaction(t, key);
    expect(openTransaction(sealed, key, now)).toEqual(t);
    expect(openTransaction(sealed, key, now + 599)).toEqual(t);
    expect(openTransaction(sealed, key, now + 600)).toBeNull();
  });

  it('refuses another key, an edited payload or tag, and malformed values', () => {
    const sealed = sealTransaction(t, key);
    const [v, payload, tag] = sealed.split('.') as [string, string, string];
    expect(openTransaction(sealed, transactionKey('another-secret-0123456789-0123456789'), now)).toBeNull();
    const edited = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), x: '/admin/users' }),
    ).toString('base64url');
    expect(openTransaction(`${v}.${edited}.${tag}`, key, now)).toBeNull();
    expect(openTransaction(`${v}.${payload}.${tag.slice(0, -2)}AA`, key, now)).toBeNull();
    expect(openTransaction(`v2.${payload}.${tag}`, key, now)).toBeNull();
    for (const bad of [undefined, '', 'x', `${sealed}.more`, 'v1..', 'a'.repeat(3000)]) {
      expect(openTransaction(bad, key, now)).toBeNull();
    }
  });

  it('refuses a correctly sealed payload whose fields are not a transaction', () => {
    for (const bad of [
      { ...t, state: '' },
      { ...t, verifier: 'v'.repeat(201) },
      { ...t, next: '/'.repeat(1001) },
      { ...t, expiresAt: now + 0.5 },
    ]) {
      expect(openTransaction(sealTransaction(bad, key), key, now)).toBeNull();
    }
  });

  it('derives a different key per secret, never the secret itself', () => {
    expect(transactionKey('a-secret')).not.toEqual(transactionKey('b-secret'));
    expect(transactionKey('a-secret').toString('utf8')).not.toContain('a-secret');
  });
});

describe('addresses', () => {
  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) {
      expect(isLoopback(h)).toBe(true);
    }
    for (const h of ['localhost.example.com', '10.0.0.1', '128.0.0.1', 'example.com', '[::2]']) {
      expect(isLoopback(h)).toBe(false);
    }
  });

  it('takes an https issuer anywhere and an http one on this machine only', () => {
    expect(issuerUrl('https://login.example.com/realms/acme').href).toBe(
      'https://login.example.com/realms/acme',
    );
    expect(issuerUrl('http://localhost:8080').href).toBe('http://localhost:8080/');
    expect(() => issuerUrl('http://login.example.com')).toThrow(/https.*plain http only on localhost/);
    expect(() => issuerUrl('ftp://localhost')).toThrow(/https/);
    expect(() => issuerUrl('not a url')).toThrow(/not a URL/);
  });

  it('puts the callback under the public address', () => {
    expect(redirectUri('https://arlens.example.com')).toBe('https://arlens.example.com/signin/oidc/callback');
    expect(redirectUri('https://arlens.example.com/')).toBe(
      'https://arlens.example.com/signin/oidc/callback',
    );
    expect(redirectUri('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/signin/oidc/callback');
    expect(() => redirectUri('https://arlens.example.com/?a=1')).toThrow(/no query/);
    expect(() => redirectUri('javascript:alert(1)')).toThrow(/http\(s\)/);
    expect(() => redirectUri('arlens')).toThrow(/not a URL/);
  });

  it('words a failure as codes on the sign-in page, never free text', () => {
    expect(signinNotice('unknown', 'a@b.c', '')).toBe('/signin?sso=unknown&email=a%40b.c');
    expect(signinNotice('failed', 'a@b.c', '/credit?x=1')).toBe('/signin?sso=failed&next=%2Fcredit%3Fx%3D1');
    expect(signinNotice('unknown', null, '')).toBe('/signin?sso=unknown');
    expect(signinNotice('unknown', 'x'.repeat(500), '').length).toBeLessThan(250);
  });
});
