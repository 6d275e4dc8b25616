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
  {
    version: 3,
    name: 'collections: dunning runs, letters and their mail, contacts, activities, promises, disputes, tasks, key focus, holds',
    sql: `
      CREATE TABLE dunning_runs (
        id INTEGER PRIMARY KEY,
        run_date TEXT NOT NULL,
        as_of_date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('proposed', 'approved', 'cancelled')),
        scope TEXT,
        policy_hash TEXT NOT NULL,
        created_by_id INTEGER,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_by TEXT NOT NULL DEFAULT '[]',
        approved_by TEXT,
        approved_at TEXT,
        version INTEGER NOT NULL DEFAULT 1
      ) STRICT;

      -- One row per customer and currency of a run; its items (and each one's exclusion) as JSON:
      -- a 1M-invoice proposal writes ~20,000 rows instead of ~900,000 (docs/collections.md).
      CREATE TABLE dunning_run_customers (
        run_id INTEGER NOT NULL REFERENCES dunning_runs (id),
        customer_id TEXT NOT NULL,
        currency_code TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        credit_controller TEXT,
        region TEXT,
        country_code TEXT,
        level INTEGER NOT NULL,
        items TEXT NOT NULL,
        PRIMARY KEY (run_id, customer_id, currency_code)
      ) STRICT;

      CREATE TABLE dunning_run_skipped (
        run_id INTEGER NOT NULL REFERENCES dunning_runs (id),
        customer_id TEXT NOT NULL,
        item_id TEXT,
        reason TEXT NOT NULL
      ) STRICT;
      CREATE INDEX dunning_run_skipped_by_run ON dunning_run_skipped (run_id);

      CREATE TABLE dunning_letters (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES dunning_runs (id),
        customer_id TEXT NOT NULL,
        level INTEGER NOT NULL,
        run_date TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('reminder', 'statement')),
        channel TEXT NOT NULL CHECK (channel IN ('email', 'letter')),
        language TEXT NOT NULL,
        recipient TEXT,
        subject TEXT NOT NULL,
        currency_code TEXT NOT NULL,
        total_amount TEXT NOT NULL,
        fee_amount TEXT NOT NULL DEFAULT '0.00',
        interest_amount TEXT NOT NULL DEFAULT '0.00',
        items TEXT NOT NULL,
        pdf BLOB,
        pdf_sha256 TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'to_print', 'printed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT,
        claimed_at TEXT,
        message_id TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (customer_id, currency_code, level, run_date, kind)
      ) STRICT;
      CREATE INDEX dunning_letters_by_status ON dunning_letters (status);

      CREATE TABLE customer_dunning (
        customer_id TEXT PRIMARY KEY,
        highest_level INTEGER NOT NULL,
        highest_level_date TEXT NOT NULL,
        last_level INTEGER NOT NULL,
        last_letter_date TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE customer_contacts (
        customer_id TEXT PRIMARY KEY,
        email TEXT,
        language TEXT CHECK (language IN ('en', 'ja')),
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE dunning_holds (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        item_id TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        released_by TEXT,
        released_at TEXT
      ) STRICT;
      CREATE UNIQUE INDEX dunning_holds_active ON dunning_holds (customer_id, item_id) WHERE released_at IS NULL;

      CREATE TABLE collection_activities (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        invoice_id TEXT,
        kind TEXT NOT NULL,
        outcome TEXT,
        note TEXT NOT NULL DEFAULT '',
        activity_date TEXT NOT NULL,
        ref_id INTEGER,
        user_id INTEGER,
        user_name TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX collection_activities_by_customer ON collection_activities (customer_id, id);

      CREATE TABLE payment_promises (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        invoice_ids TEXT NOT NULL DEFAULT '[]',
        promised_date TEXT NOT NULL,
        amount TEXT NOT NULL,
        currency_code TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'kept', 'broken', 'cancelled')),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        settled_at TEXT
      ) STRICT;
      CREATE INDEX payment_promises_by_customer ON payment_promises (customer_id, status);

      CREATE TABLE collection_disputes (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        invoice_ids TEXT NOT NULL,
        reason TEXT NOT NULL,
        amount TEXT NOT NULL,
        currency_code TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        resolution TEXT,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        resolved_by TEXT,
        resolved_at TEXT
      ) STRICT;
      CREATE INDEX collection_disputes_by_customer ON collection_disputes (customer_id, status);

      CREATE TABLE collection_tasks (
        id INTEGER PRIMARY KEY,
        customer_id TEXT NOT NULL,
        title TEXT NOT NULL,
        assignee TEXT NOT NULL,
        due_date TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'done')),
        source TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        completed_by TEXT,
        completed_at TEXT,
        UNIQUE (customer_id, source)
      ) STRICT;
      CREATE INDEX collection_tasks_by_assignee ON collection_tasks (assignee, status, due_date);

      CREATE TABLE letter_templates (
        template TEXT NOT NULL,
        language TEXT NOT NULL CHECK (language IN ('en', 'ja')),
        body TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (template, language)
      ) STRICT;

      CREATE TABLE key_focus (
        customer_id TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'cash application: bank statements, their lines, proposals, decisions and what they learned',
    sql: `
      CREATE TABLE bank_statements (
        id INTEGER PRIMARY KEY,
        statement_ref TEXT NOT NULL,
        format TEXT NOT NULL,
        account TEXT NOT NULL,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        lines_read INTEGER NOT NULL,
        lines_new INTEGER NOT NULL,
        lines_duplicate INTEGER NOT NULL,
        lines_quarantined INTEGER NOT NULL,
        imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE bank_lines (
        id INTEGER PRIMARY KEY,
        line_key TEXT NOT NULL UNIQUE,
        statement_id INTEGER NOT NULL REFERENCES bank_statements (id),
        position INTEGER NOT NULL,
        account TEXT NOT NULL,
        booking_date TEXT NOT NULL,
        value_date TEXT NOT NULL,
        amount_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        instructed_cents INTEGER,
        instructed_currency TEXT,
        charges_cents INTEGER,
        counterparty_name TEXT NOT NULL,
        counterparty_iban TEXT NOT NULL,
        remittance TEXT NOT NULL,
        end_to_end_id TEXT NOT NULL,
        bank_reference TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('new', 'review', 'applied', 'unapplied', 'rejected', 'outgoing')),
        customer_id TEXT,
        proposals TEXT NOT NULL DEFAULT '[]',
        decided_by TEXT,
        decided_at TEXT,
        decision_rule TEXT,
        confidence REAL,
        version INTEGER NOT NULL DEFAULT 0,
        published_at TEXT
      ) STRICT;
      CREATE INDEX bank_lines_by_status ON bank_lines (status);
      CREATE INDEX bank_lines_by_iban ON bank_lines (counterparty_iban);

      CREATE TABLE bank_quarantine (
        statement_id INTEGER NOT NULL REFERENCES bank_statements (id),
        position INTEGER NOT NULL,
        reason TEXT NOT NULL,
        raw TEXT NOT NULL
      ) STRICT;

      CREATE TABLE cash_applications (
        line_id INTEGER NOT NULL REFERENCES bank_lines (id),
        invoice_id TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
        currency TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('rule', 'person')),
        rule TEXT,
        PRIMARY KEY (line_id, invoice_id)
      ) STRICT;
      CREATE INDEX cash_applications_by_invoice ON cash_applications (invoice_id);

      CREATE TABLE cashapp_open_items (
        invoice_id TEXT PRIMARY KEY,
        customer_id TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        open_cents INTEGER NOT NULL,
        currency TEXT NOT NULL,
        document_date TEXT NOT NULL,
        due_date TEXT NOT NULL,
        refreshed_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE cashapp_snapshot_lines (
        line_id INTEGER PRIMARY KEY
      ) STRICT;

      CREATE TABLE cashapp_rule_stats (
        customer_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        accepted INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (customer_id, rule)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'early-warning alerts: subscriptions, the conditions they hold, alerts, their mail and digests; task title parameters',
    sql: `
      CREATE TABLE alert_subscriptions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        kind TEXT NOT NULL CHECK (kind IN ('overdue_share', 'days_past_due', 'utilisation', 'risk_band', 'broken_promise', 'region_dso')),
        threshold TEXT,
        customer_id TEXT,
        region TEXT,
        delivery TEXT NOT NULL CHECK (delivery IN ('app', 'immediate', 'digest')),
        created_at TEXT NOT NULL,
        cancelled_at TEXT
      ) STRICT;
      CREATE INDEX alert_subscriptions_by_user ON alert_subscriptions (user_id);

      -- What a subscription last saw per subject (a customer, a region, a promise): whether its
      -- condition held and, for risk bands, the band. An alert is raised when a condition starts to
      -- hold, not again while it keeps holding.
      CREATE TABLE alert_conditions (
        subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions (id),
        subject TEXT NOT NULL,
        holds INTEGER NOT NULL,
        state TEXT,
        since TEXT NOT NULL,
        PRIMARY KEY (subscription_id, subject)
      ) STRICT;

      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        subscription_id INTEGER NOT NULL REFERENCES alert_subscriptions (id),
        user_id INTEGER NOT NULL REFERENCES users (id),
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        customer_id TEXT,
        region TEXT,
        facts TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        trigger TEXT NOT NULL,
        read_at TEXT,
        mail_status TEXT NOT NULL CHECK (mail_status IN ('none', 'queued', 'sending', 'sent', 'failed', 'digest', 'digested')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claimed_at TEXT,
        last_error TEXT,
        sent_at TEXT,
        digest_id INTEGER
      ) STRICT;
      CREATE INDEX alerts_by_user ON alerts (user_id, read_at);
      CREATE INDEX alerts_by_mail ON alerts (mail_status);

      CREATE TABLE alert_digests (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        digest_date TEXT NOT NULL,
        alert_count INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claimed_at TEXT,
        last_error TEXT,
        sent_at TEXT,
        UNIQUE (user_id, digest_date)
      ) STRICT;

      -- What a task ARLens raised is about (JSON), so its title is worded in the reader's language;
      -- the stored English title stays as it was recorded (the marts and the audit log read it).
      ALTER TABLE collection_tasks ADD COLUMN title_params TEXT;
    `,
  },
];
