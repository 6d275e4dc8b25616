/**
 * The audit log: every state-changing action, appended to the operational store — who (user id and
 * name), when (UTC), what (an action name such as `user.disable`), on what (the target), the state
 * before and after (JSON, never a password hash or a secret), and from where (address, or `cli`).
 *
 * Entries are hash-chained: an entry's hash is SHA-256 over its fields and the previous entry's hash,
 * and `audit_head` holds the last sequence number and hash, written in the same transaction. `verify`
 * recomputes the chain, so an edited entry, a deleted one (a gap, or a head that no longer matches)
 * or one inserted out of order is found and named. What it cannot prove: that someone with write
 * access to the file did not rewrite the whole chain and the head — keep the head hash `arlens audit
 * verify` prints somewhere else (a ticket, the backup log) to catch that too.
 */
import { createHash } from 'node:crypto';
import type { OpsStore } from './store.ts';

export interface Actor {
  /** The user's id; null for the system (first-run set-up, a job). */
  readonly id: number | null;
  /** The user's name at the time, or `system`, `cli:<os user>`. */
  readonly name: string;
  /** The client's address, or `cli`. */
  readonly address: string | null;
}

export interface AuditInput {
  readonly action: string;
  readonly target?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actorId: number | null;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly before: string | null;
  readonly after: string | null;
  readonly address: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

const GENESIS = '0'.repeat(64);

/** appendAudit's statements, compiled once per connection (it runs with every write). */
const prepared = new WeakMap<OpsStore['db'], Map<string, ReturnType<OpsStore['db']['prepare']>>>();
function cached(store: OpsStore, sql: string) {
  let m = prepared.get(store.db);
  if (!m) prepared.set(store.db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = store.db.prepare(sql)));
  return s;
}
/** Keys never written to the log, however deep in before/after they sit. */
const SECRET_KEYS = /password|secret|token|hash|csrf/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEYS.test(k))
        .map(([k, v]) => [k, redact(v)]),
    );
  }
  return value;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(redact(v)));

function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const fields = [
    e.seq,
    e.at,
    e.actorId,
    e.actor,
    e.action,
    e.target,
    e.before,
    e.after,
    e.address,
    e.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Append one entry (in its own write transaction, or the caller's). Returns it. */
export function appendAudit(store: OpsStore, actor: Actor, input: AuditInput): AuditEntry {
  return store.write(() => {
    const head = cached(store, 'SELECT seq, hash FROM audit_head WHERE id = 1').get() as
      { seq: number; hash: string } | undefined;
    const base = {
      seq: (head?.seq ?? 0) + 1,
      at: new Date().toISOString(),
      actorId: actor.id,
      actor: actor.name,
      action: input.action,
      target: input.target ?? null,
      before: json(input.before),
      after: json(input.after),
      address: actor.address,
      prevHash: head?.hash ?? GENESIS,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base) };
    cached(
      store,
      `INSERT INTO audit_log (seq, at, actor_id, actor, action, target, before, after, address, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.seq,
      entry.at,
      entry.actorId,
      entry.actor,
      entry.action,
      entry.target,
      entry.before,
      entry.after,
      entry.address,
      entry.prevHash,
      entry.hash,
    );
    cached(
      store,
      'INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = ?, hash = ?',
    ).run(entry.seq, entry.hash, entry.seq, entry.hash);
    return entry;
  });
}

interface Row {
  seq: number;
  at: string;
  actor_id: number | null;
  actor: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
  address: string | null;
  prev_hash: string;
  hash: string;
}

const fromRow = (r: Row): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  actorId: r.actor_id,
  actor: r.actor,
  action: r.action,
  target: r.target,
  before: r.before,
  after: r.after,
  address: r.address,
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface AuditQuery {
  readonly limit?: number;
  /** Only actions starting with this ('user.' or 'sign_in'). */
  readonly action?: string;
  /** Entries before this sequence number (paging back). */
  readonly before?: number;
}

/** The newest entries first. */
export function listAudit(store: OpsStore, q: AuditQuery = {}): AuditEntry[] {
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 10_000);
  const rows = store.db
    .prepare(
      `SELECT * FROM audit_log
       WHERE (? IS NULL OR substr(action, 1, length(?)) = ?) AND (? IS NULL OR seq < ?)
       ORDER BY seq DESC LIMIT ?`,
    )
    .all(
      q.action ?? null,
      q.action ?? null,
      q.action ?? null,
      q.before ?? null,
      q.before ?? null,
      limit,
    ) as unknown as Row[];
  return rows.map(fromRow);
}

export type Verification =
  | { readonly ok: true; readonly entries: number; readonly head: string }
  | { readonly ok: false; readonly entries: number; readonly seq: number; readonly problem: string };

/** Recompute the chain from the first entry to the head. */
export function verifyAudit(store: OpsStore): Verification {
  let prev = GENESIS;
  let expected = 1;
  let n = 0;
  for (const r of store.db
    .prepare('SELECT * FROM audit_log ORDER BY seq')
    .iterate() as IterableIterator<Row>) {
    const e = fromRow(r);
    n++;
    if (e.seq !== expected) {
      return {
        ok: false,
        entries: n,
        seq: expected,
        problem: `entry ${expected} is missing (the next is ${e.seq})`,
      };
    }
    if (e.prevHash !== prev) {
      return {
        ok: false,
        entries: n,
        seq: e.seq,
        problem: `entry ${e.seq} does not follow entry ${e.seq - 1}`,
      };
    }
    const { hash, ...rest } = e;
    if (entryHash(rest) !== hash) {
      return {
        ok: false,
        entries: n,
        seq: e.seq,
        problem: `entry ${e.seq} was changed after it was written`,
      };
    }
    prev = hash;
    expected++;
  }
  const head = store.db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as
    { seq: number; hash: string } | undefined;
  const headSeq = head?.seq ?? 0;
  if (headSeq !== n || (head?.hash ?? GENESIS) !== prev) {
    return {
      ok: false,
      entries: n,
      seq: headSeq,
      problem:
        headSeq > n
          ? `entries ${n + 1} to ${headSeq} were deleted (the head says ${headSeq})`
          : `the head (entry ${headSeq}) does not match the last entry (${n})`,
    };
  }
  return { ok: true, entries: n, head: prev };
}
