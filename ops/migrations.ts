/**
 * The operational store's schema, as numbered migrations. A migration is never edited once released:
 * a change is a new entry at the end. `openOpsStore` applies the ones a store lacks, in order, each in
 * its own transaction, and refuses a store written by a newer ARLens (a version it does not know).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users, sessions, sign-in failures and the audit log',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        email TEXT UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL,
        regions TEXT NOT NULL DEFAULT '[]',
        portfolio TEXT,
        password_hash TEXT,
        oidc_issuer TEXT,
        oidc_subject TEXT,
        demo INTEGER NOT NULL DEFAULT 0,
        disabled_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (oidc_issuer, oidc_subject)
      ) STRICT;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        method TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        address TEXT,
        user_agent TEXT,
        revoked_at INTEGER,
        revoked_reason TEXT
      ) STRICT;
      CREATE INDEX sessions_by_user ON sessions (user_id);

      CREATE TABLE sign_in_failures (
        username TEXT NOT NULL COLLATE NOCASE,
        address TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username, at);
      CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, at);

      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id INTEGER,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        before TEXT,
        after TEXT,
        address TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'credit management: limits, limit requests, credit checks and holds, blacklist',
    sql: `
      -- Amounts are integer hundredths (cents) of their currency: exact, and SQLite compares them.
      CREATE TABLE credit_limits (
        customer_id TEXT PRIMARY KEY,
        limit_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        payment_terms_days INTEGER,
        prepayment_required INTEGER NOT NULL DEFAULT 0,
        key_focus INTEGER NOT NULL DEFAULT 0,
        request_id INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE credit_requests (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('limit', 'rerate')),
        currency TEXT NOT NULL,
        current_limit_cents INTEGER,
        new_limit_cents INTEGER NOT NULL,
        new_limit_rc_cents INTEGER NOT NULL,
        payment_terms_days INTEGER,
        prepayment_required INTEGER NOT NULL DEFAULT 0,
        key_focus INTEGER NOT NULL DEFAULT 0,
        reason TEXT NOT NULL,
        evidence TEXT NOT NULL DEFAULT '{}',
        needs_cfo INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        requested_by_id INTEGER,
        requested_by TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        manager_by_id INTEGER,
        manager_by TEXT,
        manager_at TEXT,
        cfo_by_id INTEGER,
        cfo_by TEXT,
        cfo_at TEXT,
        decided_at TEXT,
        decision_note TEXT
      ) STRICT;
      CREATE INDEX credit_requests_by_status ON credit_requests (status, requested_at);
      CREATE INDEX credit_requests_by_customer ON credit_requests (customer_id, requested_at);

      CREATE TABLE credit_decisions (
        id INTEGER PRIMARY KEY,
        order_id TEXT,
        customer_id TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        amount_rc_cents INTEGER,
        outcome TEXT NOT NULL CHECK (outcome IN ('approve', 'hold', 'escalate')),
        reasons TEXT NOT NULL,
        exposure_rc_cents INTEGER,
        limit_rc_cents INTEGER,
        data_cut TEXT,
        status TEXT NOT NULL CHECK (status IN ('approved', 'held', 'escalated', 'released', 'rejected', 'rechecked')),
        checked_at TEXT NOT NULL,
        checked_by_id INTEGER,
        checked_by TEXT NOT NULL,
        source TEXT NOT NULL,
        recheck_of INTEGER REFERENCES credit_decisions (id),
        resolved_by_id INTEGER,
        resolved_by TEXT,
        resolved_at TEXT,
        resolution_reason TEXT
      ) STRICT;
      CREATE INDEX credit_decisions_by_customer ON credit_decisions (customer_id, status, checked_at);
      CREATE INDEX credit_decisions_by_status ON credit_decisions (status, checked_at);
      CREATE INDEX credit_decisions_by_order ON credit_decisions (order_id);

      CREATE TABLE credit_blacklist_requests (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('add', 'remove')),
        category TEXT NOT NULL,
        reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'refused', 'withdrawn')),
        proposed_by_id INTEGER,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        decided_by_id INTEGER,
        decided_by TEXT,
        decided_at TEXT,
        decision_note TEXT
      ) STRICT;
      CREATE INDEX credit_blacklist_requests_by_status ON credit_blacklist_requests (status, proposed_at);
      -- At most one open proposal per customer.
      CREATE UNIQUE INDEX credit_blacklist_one_pending ON credit_blacklist_requests (customer_id)
        WHERE status = 'pending';

      CREATE TABLE credit_blacklist (
        customer_id TEXT PRIMARY KEY,
        category TEXT NOT NULL,
        reason TEXT NOT NULL,
        since TEXT NOT NULL,
        request_id INTEGER NOT NULL REFERENCES credit_blacklist_requests (id)
      ) STRICT;
    `,
  },
];
