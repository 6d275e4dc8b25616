/**
 * `arlens token` signs API tokens up to the maximum lifetime (30 days, ARLENS_TOKEN_MAX_DAYS) and
 * refuses a longer one with a message that says how long a token may live.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliArgs, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('arlens-token-');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function token(...args: string[]) {
  const r = spawnSync(process.execPath, cliArgs('-w', join(dir, 'wh'), 'token', ...args), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ARLENS_API_SECRET: TEST_SECRET },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

it('signs a 30-day token and refuses a 31-day one, saying why', () => {
  const ok = token('--role', 'cfo', '--expires', '30d');
  expect(ok.code, ok.err).toBe(0);
  const claims = decodeJwt(ok.out);
  expect(claims.exp! - claims.iat!).toBe(30 * 86400);

  const long = token('--role', 'cfo', '--expires', '31d');
  expect(long.code).toBe(1);
  expect(long.out).toBe('');
  expect(long.err).toBe(
    'arlens: A token may live at most 30 days (ARLENS_TOKEN_MAX_DAYS); "31d" is longer. Ask for a shorter lifetime, e.g. 30d.',
  );
});
