import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { lifetimeSeconds, maxTokenSeconds, readToken, SESSION_SECONDS, signToken } from './tokens.ts';

const SECRET = 'tokens-test-secret-0123456789-0123456789';
const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly these claims (iat/exp as given, or left out). */
async function rawToken(claims: { iat?: number; exp?: number }): Promise<string> {
  const jwt = new SignJWT({ role: 'cfo' }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' });
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

afterEach(() => {
  delete process.env['ARLENS_TOKEN_MAX_DAYS'];
});

describe('token lifetime', () => {
  it('reads lifetimes as jose spells them', () => {
    expect(lifetimeSeconds('8h')).toBe(8 * 3600);
    expect(lifetimeSeconds('30d')).toBe(30 * DAY);
    expect(lifetimeSeconds('2 weeks')).toBe(14 * DAY);
    expect(lifetimeSeconds('90m')).toBe(5400);
    expect(lifetimeSeconds(now() + 60)).toBeGreaterThan(50);
    expect(() => lifetimeSeconds('forever')).toThrow('Cannot read the lifetime "forever"');
  });

  it('the maximum is 30 days unless ARLENS_TOKEN_MAX_DAYS says otherwise', () => {
    expect(maxTokenSeconds()).toBe(30 * DAY);
    process.env['ARLENS_TOKEN_MAX_DAYS'] = '7';
    expect(maxTokenSeconds()).toBe(7 * DAY);
    process.env['ARLENS_TOKEN_MAX_DAYS'] = 'lots';
    expect(() => maxTokenSeconds()).toThrow('ARLENS_TOKEN_MAX_DAYS');
  });

  it('signs up to the maximum and refuses longer, saying how long it may be', async () => {
    const token = await signToken(SECRET, { role: 'cfo' }, '30d');
    const ok = await readToken(SECRET, token);
    expect(ok.ok).toBe(true);
    await expect(signToken(SECRET, { role: 'cfo' }, '31d')).rejects.toThrow(
      'A token may live at most 30 days (ARLENS_TOKEN_MAX_DAYS); "31d" is longer. Ask for a shorter lifetime, e.g. 30d.',
    );
    await expect(signToken(SECRET, { role: 'cfo' }, now() + 365 * DAY)).rejects.toThrow('at most 30 days');
    // An expiry in the past (an expired token, for tests) is not too long.
    await expect(signToken(SECRET, { role: 'cfo' }, now() - 60)).resolves.toMatch(/^ey/);
  });

  it('refuses a token whose lifetime (exp - iat) is longer than the maximum', async () => {
    const t = now();
    expect(await readToken(SECRET, await rawToken({ iat: t, exp: t + 30 * DAY }))).toMatchObject({
      ok: true,
    });
    expect(await readToken(SECRET, await rawToken({ iat: t, exp: t + 31 * DAY }))).toEqual({
      ok: false,
      reason: 'The token lives longer than this server allows (30 days): ask for a shorter one.',
    });
    // Sessions: 8 hours at most.
    const session = { maxLifetime: SESSION_SECONDS };
    expect(await readToken(SECRET, await rawToken({ iat: t, exp: t + 8 * 3600 }), session)).toMatchObject({
      ok: true,
    });
    expect(await readToken(SECRET, await rawToken({ iat: t, exp: t + 9 * 3600 }), session)).toMatchObject({
      ok: false,
    });
  });

  it('refuses a token without iat or exp, or issued in the future', async () => {
    const t = now();
    expect(await readToken(SECRET, await rawToken({ exp: t + 3600 }))).toMatchObject({ ok: false });
    expect(await readToken(SECRET, await rawToken({ iat: t }))).toMatchObject({ ok: false });
    expect(await readToken(SECRET, await rawToken({ iat: t + 3600, exp: t + 7200 }))).toMatchObject({
      ok: false,
    });
  });
});
