/**
 * scripts/ensure-chromium.sh (run by `npm test` before Vitest): a no-op when Chromium and a Japanese
 * font are there, an apt-get install of what is missing otherwise, a clear failure without apt-get.
 * The install path runs against a stand-in apt-get on PATH (no network, no root needed).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.ts';

const SCRIPT = join(ROOT, 'scripts', 'ensure-chromium.sh');

function run(env: Record<string, string>) {
  const r = spawnSync('bash', [SCRIPT], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A PATH directory holding only the tools the script may use, plus `extra` scripts. */
async function toolDir(root: string, name: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = join(root, name);
  await fs.mkdir(dir);
  for (const tool of ['bash', 'id', 'grep', 'tail', 'fc-list', 'dpkg-query', 'cat', 'chmod', 'mkdir']) {
    const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) await fs.symlink(found, join(dir, tool));
  }
  for (const [file, body] of Object.entries(extra)) {
    await fs.writeFile(join(dir, file), body, { mode: 0o755 });
  }
  return dir;
}

describe('scripts/ensure-chromium.sh', () => {
  let root: string;
  beforeAll(async () => {
    root = await tempDir('arlens-chromium-');
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('does nothing when Chromium and a Japanese font are installed', () => {
    // npm test ran the script before Vitest, so this machine has both now.
    expect(run({})).toEqual({ status: 0, out: '' });
  });

  it('installs a missing Chromium with apt-get, then does nothing on the next run', async () => {
    const chromium = join(root, 'bin', 'chromium');
    const log = join(root, 'apt.log');
    const aptGet = [
      '#!/bin/bash',
      `echo "apt-get $*" >> ${log}`,
      `if [ "$1" = install ]; then mkdir -p ${join(root, 'bin')}; printf '#!/bin/bash\\necho Chromium 1.0\\n' > ${chromium}; chmod +x ${chromium}; fi`,
    ].join('\n');
    const path = await toolDir(root, 'with-apt', { 'apt-get': aptGet });
    const first = run({ ARLENS_CHROMIUM: chromium, PATH: path });
    expect(first.status).toBe(0);
    expect(first.out).toContain('installing chromium with apt-get');
    expect(first.out).toContain('Chromium 1.0');
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toEqual([
      'apt-get update -q',
      'apt-get install -y -q chromium',
    ]);
    expect(run({ ARLENS_CHROMIUM: chromium, PATH: path })).toEqual({ status: 0, out: '' });
    expect((await fs.readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('fails with a clear message when Chromium is missing and apt-get is not available', async () => {
    const path = await toolDir(root, 'without-apt');
    const r = run({ ARLENS_CHROMIUM: join(root, 'nowhere', 'chromium'), PATH: path });
    expect(r.status).toBe(1);
    expect(r.out).toContain('missing chromium, and apt-get is not available on this machine.');
    expect(r.out).toContain('apt-get install -y chromium fonts-noto-cjk');
  });
});
