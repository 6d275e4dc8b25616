import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cliArgs, tempDir } from './helpers.ts';

function arlens(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, cliArgs(...args), {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    // spawnSync blocks the test's event loop, so Vitest's own timeout cannot fire: a hung command
    // is killed here and fails the test instead of hanging the run.
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('arlens CLI', () => {
  it('has --help on every command', () => {
    const top = arlens(['--help']);
    expect(top.code).toBe(0);
    const commands = ['demo', 'ingest', 'build', 'status', 'profiles', 'contract', 'serve', 'start'];
    for (const c of commands) expect(top.out).toContain(c);
    for (const c of commands) {
      const r = arlens([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out).toContain(`Usage: arlens ${c}`);
    }
  });

  it('demo --load, then status, then an unchanged re-run, end to end', async () => {
    const dir = await tempDir();
    try {
      const wh = join(dir, 'wh');
      const out = join(dir, 'exports');
      const demo = arlens([
        '-w',
        wh,
        'demo',
        '--invoices',
        '300',
        '--seed',
        '3',
        '--as-of',
        '2026-06-30',
        '--out',
        out,
        '--load',
      ]);
      expect(demo.code, demo.err).toBe(0);
      expect(demo.out).toContain('story:');
      expect(demo.out).toMatch(/invoices\.csv\s+invoices\s+300\s+300\s+0/);
      const status = arlens(['-w', wh, 'status']);
      expect(status.code, status.err).toBe(0);
      expect(status.out).toMatch(/invoices\s+300/);
      const again = arlens(['-w', wh, 'ingest', out]);
      expect(again.code).toBe(0);
      expect(again.out).toContain(
        'Nothing to load: every file was already loaded with the same content, profile and options.',
      );
      expect(again.out).toContain('To load a file again anyway, run arlens ingest with --force.');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('builds for the as-of date asked for, records it, and refuses one that is not a date', async () => {
    const dir = await tempDir();
    try {
      const wh = join(dir, 'wh');
      const cfg = join(dir, 'arlens.config.yaml');
      await fs.writeFile(cfg, `warehouse: ${wh}\nas_of: 2026-05-31\n`);
      const demo = arlens([
        '-c',
        cfg,
        'demo',
        '--invoices',
        '200',
        '--seed',
        '4',
        '--as-of',
        '2026-06-30',
        '--out',
        join(dir, 'x'),
        '--load',
      ]);
      expect(demo.code, demo.err).toBe(0);
      // The config's as_of, then the flag over it; each build says which and records it.
      const fromConfig = arlens(['-c', cfg, 'build']);
      expect(fromConfig.code, fromConfig.err).toBe(0);
      expect(fromConfig.out).toContain('As of: 2026-05-31 (as_of in the config)');
      expect(arlens(['-c', cfg, 'status']).out).toContain('As of: 2026-05-31 (set)');
      const fromFlag = arlens(['-c', cfg, 'build', '--as-of', 'latest']);
      expect(fromFlag.code, fromFlag.err).toBe(0);
      expect(arlens(['-c', cfg, 'status']).out).toContain('As of: 2026-06-30 (last document date)');
      const bad = arlens(['-c', cfg, 'build', '--as-of', "2026-06-31' OR 1=1"]);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain('is not an as-of date. Use a date (YYYY-MM-DD), "today" or "latest".');
      await fs.writeFile(cfg, `warehouse: ${wh}\nas_of: someday\n`);
      const badConfig = arlens(['-c', cfg, 'status']);
      expect(badConfig.code).toBe(1);
      expect(badConfig.err).toContain('as_of: a date (YYYY-MM-DD), "today" or "latest"');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('explains a bad invocation and exits non-zero', async () => {
    const dir = await tempDir();
    try {
      const r = arlens(['-w', join(dir, 'wh'), 'ingest', join(dir, 'missing.csv')]);
      expect(r.code).toBe(1);
      expect(r.err).toContain('missing.csv: no such file or directory.');
      const s = arlens(['-w', join(dir, 'wh'), 'status']);
      expect(s.code).toBe(1);
      expect(s.err).toContain('No warehouse in');
      const c = arlens(['ingest', dir], dir);
      expect(c.code).toBe(1);
      expect(c.err).toContain('the directory has no .csv, .xlsx, .json or .parquet files');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
