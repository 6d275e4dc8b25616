/**
 * The operational store and its audit log: migrations apply once (also from two processes at once),
 * a store from a newer ARLens is refused, the hash chain finds an edited, deleted or reordered entry,
 * secrets never reach an entry, and two writers appending at once never break the chain.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, listAudit, verifyAudit, type Actor } from '../../ops/audit.ts';
import { MIGRATIONS } from '../../ops/migrations.ts';
import { appliedMigrations, backupOpsStore, openOpsStore, type OpsStore } from '../../ops/store.ts';
import { ROOT, tempDir } from '../helpers.ts';

const ME: Actor = { id: 7, name: 'akiko', address: '192.0.2.1' };
let dir: string;
let store: OpsStore;

beforeEach(async () => {
  dir = await tempDir('arlens-ops-');
  store = openOpsStore(join(dir, 'ops.sqlite'));
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** Edit the file behind the store's back, as someone with access to the disk could. */
function tamper(sql: string, ...params: (string | number)[]): void {
  const raw = new DatabaseSync(store.path);
  raw.prepare(sql).run(...params);
  raw.close();
}

describe('the operational store', () => {
  it('is in WAL mode with every migration applied once; reopening applies none again', () => {
    expect(store.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(appliedMigrations(store).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    store.close();
    store = openOpsStore(join(dir, 'ops.sqlite'));
    expect(appliedMigrations(store)).toHaveLength(MIGRATIONS.length);
  });

  it('refuses a store written by a newer ARLens, naming the way out', () => {
    store.db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").run();
    store.close();
    expect(() => openOpsStore(join(dir, 'ops.sqlite'))).toThrow(/migration 999.*newer version.*backup/s);
    store = openOpsStore(join(dir, 'other.sqlite'));
  });

  it('backs up a consistent copy that opens and verifies', async () => {
    appendAudit(store, ME, { action: 'user.add', target: 'kenji' });
    await backupOpsStore(store, join(dir, 'backup', 'copy.sqlite'));
    const copy = openOpsStore(join(dir, 'backup', 'copy.sqlite'));
    try {
      expect(verifyAudit(copy)).toMatchObject({ ok: true, entries: 1 });
    } finally {
      copy.close();
    }
  });
});

describe('the audit log', () => {
  const fill = () => {
    for (const [i, action] of ['sign_in', 'user.add', 'user.set_role', 'user.disable'].entries()) {
      appendAudit(store, ME, {
        action,
        target: `user${i}`,
        before: { role: 'analyst' },
        after: { role: 'cfo' },
      });
    }
  };

  it('verifies a clean chain and lists the newest first, filtered by action', () => {
    fill();
    const v = verifyAudit(store);
    expect(v).toMatchObject({ ok: true, entries: 4 });
    expect(listAudit(store).map((e) => e.action)).toEqual([
      'user.disable',
      'user.set_role',
      'user.add',
      'sign_in',
    ]);
    expect(listAudit(store, { action: 'user.' }).map((e) => e.seq)).toEqual([4, 3, 2]);
    expect(listAudit(store, { limit: 1, before: 3 }).map((e) => e.seq)).toEqual([2]);
    const empty = openOpsStore(join(dir, 'empty.sqlite'));
    expect(verifyAudit(empty)).toMatchObject({ ok: true, entries: 0 });
    empty.close();
  });

  it('finds an edited entry', () => {
    fill();
    tamper('UPDATE audit_log SET after = \'{"role":"analyst"}\' WHERE seq = 2');
    expect(verifyAudit(store)).toMatchObject({
      ok: false,
      seq: 2,
      problem: 'entry 2 was changed after it was written',
    });
  });

  it('finds an entry edited with its hash recomputed: the next one no longer follows', () => {
    fill();
    tamper("UPDATE audit_log SET actor = 'someone', hash = ? WHERE seq = 2", 'f'.repeat(64));
    expect(verifyAudit(store)).toMatchObject({ ok: false, seq: 2 });
  });

  it('finds a deleted entry in the middle and at the end', () => {
    fill();
    tamper('DELETE FROM audit_log WHERE seq = 2');
    expect(verifyAudit(store)).toMatchObject({
      ok: false,
      seq: 2,
      problem: 'entry 2 is missing (the next is 3)',
    });
    tamper('DELETE FROM audit_log WHERE seq > 0');
    expect(verifyAudit(store)).toMatchObject({
      ok: false,
      problem: 'entries 1 to 4 were deleted (the head says 4)',
    });
  });

  it('finds the last entry deleted', () => {
    fill();
    tamper('DELETE FROM audit_log WHERE seq = 4');
    expect(verifyAudit(store)).toMatchObject({ ok: false, seq: 4 });
  });

  it('never writes a password, hash, secret or token, however deep', () => {
    appendAudit(store, ME, {
      action: 'user.add',
      after: {
        username: 'kenji',
        password: 'hunter2hunter2',
        nested: { password_hash: 'scrypt$…', apiSecret: 'x', ok: 1 },
      },
    });
    const [e] = listAudit(store);
    expect(JSON.parse(e!.after!)).toEqual({ username: 'kenji', nested: { ok: 1 } });
  });

  it('keeps one unbroken chain when two processes append at once', async () => {
    const script = `
      import { appendAudit } from './ops/audit.ts';
      import { openOpsStore } from './ops/store.ts';
      const store = openOpsStore(process.argv[1]);
      for (let i = 0; i < 150; i++) appendAudit(store, { id: null, name: process.argv[2], address: 'cli' }, { action: 'test.write', target: String(i) });
      store.close();
    `;
    const run = (name: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, store.path, name], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('error', reject);
        child.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    expect(verifyAudit(store)).toMatchObject({ ok: true, entries: 300 });
  }, 60_000);
});
