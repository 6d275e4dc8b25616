/**
 * Roles as data: the one declaration of what each role may read and do. Everything that decides asks
 * this file — the dashboard's hooks, pages and menu (auth/access.ts), the JSON API (server/index.ts),
 * Cube (cube/security.ts: views and the row filter), the CLI's user commands (the role list) — and
 * docs/security.md lists it. A test walks every route and action as every role against it
 * (tests/security/web-access.test.ts, tests/security/roles.test.ts).
 *
 * Pure: no Node or SvelteKit imports, so the browser bundle can use it for the menu.
 */

export const ROLES = ['admin', 'cfo', 'analyst', 'sales_lead', 'collector', 'credit_manager'] as const;
export type Role = (typeof ROLES)[number];

/** Every write the product does, by name (the audit log's action names start with these). */
export const ACTIONS = [
  'users.manage',
  'audit.read',
  // Collections (collections/): log calls, promises, disputes, tasks, key focus — a collector within
  // their portfolio; propose and edit dunning runs; approve (send) them — never whoever edited the run.
  'collections.work',
  'dunning.propose',
  'dunning.approve',
  // Cash application (cashapp/): load bank statements; decide the review queue.
  'cashapp.import',
  'cashapp.decide',
  // Credit management (credit/): request a limit change, approve one (sod.ts has the finer rules),
  // check orders, work the holds queue, propose and confirm blacklistings (two-person rule).
  'credit.request',
  'credit.approve',
  'credit.check',
  'credit.holds',
  'credit.blacklist.propose',
  'credit.blacklist.confirm',
  // Early-warning alerts (alerts/): subscribe to conditions within one's own rows, read one's alerts.
  'alerts.subscribe',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Which rows of the data a role sees: all, its regions (a sales lead), its portfolio (a credit controller), none. */
export type RowScope = 'all' | 'regions' | 'portfolio' | 'none';

export interface RolePolicy {
  /** Cube views the role may query (`all`: every view). */
  readonly views: 'all' | readonly string[];
  readonly rows: RowScope;
  readonly actions: readonly Action[];
  /** Where the role lands after signing in. */
  readonly home: string;
}

const COLLECTION_VIEWS = [
  'collections',
  'collection_log',
  'customer_risk',
  'ar_balances',
  'payments_received',
  'ledger',
  'expected_payments',
  'dunning_run_log',
  'dunning_letters_sent',
  'collection_tasks_log',
];

export const ROLE_POLICY: Readonly<Record<Role, RolePolicy>> = {
  // Runs the installation: users, sign-in, the audit log, the loads. Sees no receivables.
  admin: { views: [], rows: 'none', actions: ['users.manage', 'audit.read'], home: '/admin/users' },
  cfo: {
    views: 'all',
    rows: 'all',
    actions: [
      'audit.read',
      'credit.request',
      'credit.approve',
      'credit.check',
      'credit.holds',
      'credit.blacklist.confirm',
      'alerts.subscribe',
    ],
    home: '/',
  },
  analyst: { views: 'all', rows: 'all', actions: ['alerts.subscribe'], home: '/' },
  sales_lead: {
    views: 'all',
    rows: 'regions',
    actions: ['credit.request', 'credit.check', 'alerts.subscribe'],
    home: '/',
  },
  collector: {
    views: COLLECTION_VIEWS,
    rows: 'portfolio',
    actions: ['collections.work', 'dunning.propose', 'alerts.subscribe'],
    home: '/collections',
  },
  // Also works cash application: loads bank statements and decides the review queue.
  credit_manager: {
    views: 'all',
    rows: 'all',
    actions: [
      'credit.request',
      'credit.approve',
      'credit.check',
      'credit.holds',
      'credit.blacklist.propose',
      'collections.work',
      'dunning.propose',
      'dunning.approve',
      'cashapp.import',
      'cashapp.decide',
      'alerts.subscribe',
    ],
    home: '/credit',
  },
};

const READERS: readonly Role[] = ['cfo', 'sales_lead', 'analyst', 'collector', 'credit_manager'];
const MANAGEMENT: readonly Role[] = ['cfo', 'sales_lead', 'analyst', 'credit_manager'];
/** Every region's load history and rejected raw values. */
const DATA_STEWARDS: readonly Role[] = ['admin', 'cfo', 'analyst'];

/**
 * Route → roles for the dashboard's pages and the JSON API. Keys are SvelteKit route ids without
 * groups ('/customers/[id]', not '/(app)/customers/[id]') and API paths. A route missing here is
 * refused to everyone.
 */
export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = {
  '/': MANAGEMENT,
  '/credit': MANAGEMENT,
  '/explore': MANAGEMENT,
  '/customers': READERS,
  '/customers/[id]': READERS,
  '/collections': READERS,
  '/collections/dunning': ['collector', 'credit_manager', 'cfo'],
  '/collections/dunning/letters/[id]': ['collector', 'credit_manager', 'cfo'],
  '/risk': READERS,
  // Cash application: the credit manager works it; the CFO sees it.
  '/cash': ['credit_manager', 'cfo'],
  // Early-warning alerts: everyone who sees receivables, each their own alerts within their rows.
  '/alerts': READERS,
  '/data': DATA_STEWARDS,
  '/admin/users': ['admin'],
  '/api/status': DATA_STEWARDS,
  '/api/quarantine': DATA_STEWARDS,
  // Credit management: checks (POST, a token only), the decision history and the limits for the ERP.
  '/api/credit-checks': ['cfo', 'credit_manager', 'sales_lead'],
  '/api/credit-decisions': ['cfo', 'credit_manager', 'analyst'],
  '/api/credit-limits': ['cfo', 'credit_manager', 'analyst'],
};

/** Open without signing in: the sign-in flow, the language switch, and the health probe. */
export const PUBLIC_ROUTES: readonly string[] = [
  '/signin',
  '/signin/oidc',
  '/signin/oidc/callback',
  '/signout',
  '/lang',
  '/api/health',
];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function mayDo(role: Role, action: Action): boolean {
  return ROLE_POLICY[role].actions.includes(action);
}
