/**
 * The user and audit commands through the CLI, as an administrator runs them on the server: add
 * (password shown once, or from standard input), list, set-role, disable, reset-password; a user
 * token that stops with the account; `audit verify` passes on a clean log and fails, naming the
 * entry, after an entry is edited in the store; `ops backup` writes a copy that verifies.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliArgs, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('arlens-users-cli-');
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function arlens(args: string[], input?: string) {
  const r = spawnSync(process.execPath, cliArgs('-w', join(dir, 'data', 'warehouse'), ...args), {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    env: { ...process.env, NO_COLOR: '1', ARLENS_API_SECRET: TEST_SECRET },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

it('manages users and proves the audit log, through the CLI', () => {
  const added = arlens([
    'users',
    'add',
    'aoi',
    '--role',
    'sales_lead',
    '--region',
    'EMEA',
    '--name',
    'Aoi Tanaka',
  ]);
  expect(added.err).toBe('');
  expect(added.out).toMatch(
    /^Added aoi \(sales_lead\)\.\nPassword \(shown once; hand it over safely\): \S{20}$/,
  );
  expect(arlens(['users', 'add', 'ken', '--role', 'cfo', '--password-stdin'], 'too short\n')).toMatchObject({
    code: 1,
    err: 'arlens: A password needs at least 12 characters.',
  });
  expect(
    arlens(['users', 'add', 'ken', '--role', 'cfo', '--password-stdin'], 'a long enough passphrase\n').code,
  ).toBe(0);
  expect(arlens(['users', 'add', 'sam', '--role', 'sales_lead']).err).toBe(
    'arlens: A sales lead needs at least one region (--region).',
  );
  expect(arlens(['users', 'set-role', 'aoi', '--role', 'collector', '--portfolio', 'Yamada Taro']).out).toBe(
    'aoi is now collector; their sessions are revoked.',
  );
  const list = arlens(['users', 'list']).out.split('\n');
  expect(list).toHaveLength(2);
  expect(list[0]).toMatch(/^aoi\s+collector \[Yamada Taro\]\s+password\s+active$/);

  // A token for ken works until ken is disabled (the server checks the account on every request).
  const token = arlens(['token', '--user', 'ken']).out;
  expect(decodeJwt(token)).toMatchObject({ role: 'cfo', name: 'ken' });
  expect(arlens(['users', 'disable', 'ken']).code).toBe(0);
  expect(arlens(['token', '--user', 'ken']).err).toBe('arlens: ken is disabled or a demo user: no token.');
  // Nothing to unlink yet: a clear refusal, and nothing written.
  expect(arlens(['users', 'unlink-sso', 'aoi'])).toMatchObject({
    code: 1,
    err: 'arlens: aoi has no single-sign-on link.',
  });
  expect(arlens(['users', 'reset-password', 'aoi']).out).toMatch(
    /Password \(shown once; hand it over safely\): \S{20}$/,
  );

  const clean = arlens(['audit', 'verify']);
  expect(clean.code).toBe(0);
  expect(clean.out).toMatch(/^The audit log is intact: 5 entries; head [0-9a-f]{64}/);
  const actions = arlens(['audit', 'list', '--json'])
    .out.split('\n')
    .map((l) => JSON.parse(l) as { action: string; actor: string });
  expect(actions.map((a) => a.action)).toEqual([
    'user.reset_password',
    'user.disable',
    'user.set_role',
    'user.add',
    'user.add',
  ]);
  expect(actions.every((a) => a.actor.startsWith('cli:'))).toBe(true);

  const backup = arlens(['ops', 'backup', join(dir, 'backup.sqlite')]);
  expect(backup.out).toMatch(
    /^Backed up .*arlens\.ops\.sqlite to .*backup\.sqlite\. Audit head: [0-9a-f]{64} \(5 entries\)\.$/,
  );

  // Someone edits the store behind ARLens's back: verify fails and names the entry.
  const raw = new DatabaseSync(join(dir, 'data', 'arlens.ops.sqlite'));
  raw.prepare(`UPDATE audit_log SET actor = 'someone else' WHERE seq = 3`).run();
  raw.close();
  const tampered = arlens(['audit', 'verify']);
  expect(tampered.code).toBe(1);
  expect(tampered.err).toBe(
    'The audit log was tampered with: entry 3 was changed after it was written (checked 3 entries).',
  );
}, 180_000);
