/**
 * scripts/ensure-postgres.sh (run by `npm test` before Vitest): a no-op when PostgreSQL's server
 * binaries are there, an apt-get install otherwise, and never a failed run: without apt-get, or when
 * the install fails, it says why and the PostgreSQL suites skip. The install path runs against a
 * stand-in apt-get on PATH (no network, no root needed).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.ts';

const SCRIPT = join(ROOT, 'scripts', 'ensure-postgres.sh');

function run(env: Record<string, string>) {
  const base = { ...process.env };
  delete base['PG_BIN'];
  const r = spawnSync('bash', [SCRIPT], { env: { ...base, ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A PATH directory holding only the tools the script may use (no pg_config), plus `extra` scripts. */
async function toolDir(root: string, name: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  await fs.mkdir(dir);
  for (const tool of ['bash', 'id', 'sort', 'tail', 'mkdir', 'chmod', 'printf']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found.startsWith('/')) await fs.symlink(found, join(dir, tool));
  }
  for (const [file, body] of Object.entries(extra)) {
    await fs.writeFile(join(dir, file), body, { mode: 0o755 });
  }
  return dir;
}

describe('scripts/ensure-postgres.sh', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('arlens-ensure-pg-');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('does nothing when the server binaries are found', async () => {
    const lib = join(root, 'present');
    await fs.mkdir(join(lib, '15', 'bin'), { recursive: true });
    await fs.writeFile(join(lib, '15', 'bin', 'initdb'), '#!/bin/bash\n', { mode: 0o755 });
    const path = await toolDir(root, 'plain');
    expect(run({ ARLENS_PG_LIBDIR: lib, PATH: path })).toEqual({ status: 0, out: '' });
  });

  it('installs postgresql with apt-get when no initdb is found, then does nothing on the next run', async () => {
    const lib = join(root, 'lib');
    const log = join(root, 'apt.log');
    const aptGet = [
      '#!/bin/bash',
      `echo "apt-get $*" >> ${log}`,
      `if [ "$1" = install ]; then mkdir -p ${join(lib, '15', 'bin')}; printf '#!/bin/bash\\n' > ${join(lib, '15', 'bin', 'initdb')}; chmod +x ${join(lib, '15', 'bin', 'initdb')}; fi`,
    ].join('\n');
    const path = await toolDir(root, 'with-apt', { 'apt-get': aptGet });
    const first = run({ ARLENS_PG_LIBDIR: lib, PATH: path });
    expect(first.status).toBe(0);
    expect(first.out).toContain('installing postgresql with apt-get');
    expect(first.out).toContain(`installed ${join(lib, '15', 'bin', 'initdb')}`);
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual([
      'apt-get update -q',
      'apt-get install -y -q --no-install-recommends postgresql',
    ]);
    expect(run({ ARLENS_PG_LIBDIR: lib, PATH: path })).toEqual({ status: 0, out: '' });
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('does not fail the run without apt-get, or when the install fails: it says the suites will skip', async () => {
    const nowhere = join(root, 'nowhere');
    const without = run({ ARLENS_PG_LIBDIR: nowhere, PATH: await toolDir(root, 'without-apt') });
    expect(without.status).toBe(0);
    expect(without.out).toContain('no initdb found, and apt-get is not available on this machine.');
    expect(without.out).toContain('the PostgreSQL tests will be SKIPPED');
    const failing = await toolDir(root, 'failing-apt', {
      'apt-get':
        '#!/bin/bash\nif [ "$1" = install ]; then echo "E: Unable to locate package" >&2; exit 100; fi\n',
    });
    const failed = run({ ARLENS_PG_LIBDIR: nowhere, PATH: failing, ARLENS_PG_PACKAGE: 'postgresql-99' });
    expect(failed.status).toBe(0);
    expect(failed.out).toContain('apt-get install postgresql-99 failed.');
    expect(failed.out).toContain('the PostgreSQL tests will be SKIPPED');
  });
});
