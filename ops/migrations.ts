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
];
