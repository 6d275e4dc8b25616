/**
 * The ARLens server: the JSON API under /api and the dashboard (SvelteKit, built into build/web)
 * for everything else, and Cube's REST API under /cubejs-api. All read the warehouse through one
 * ServingWarehouse, so a running ingest or build never disturbs them; after every swap the Cube
 * rollups whose refresh key changed are rebuilt.
 *
 * Every response carries the security headers (SECURITY_HEADERS; pages get SvelteKit's own CSP with
 * the nonce of their start-up script, svelte.config.js). /api needs a session or a token and a role
 * the route table (auth/access.ts) allows, except /api/health; its errors say only a request id
 * (the detail goes to the server log).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { mayOpen, ROUTE_ROLES } from '../auth/access.ts';
import { createCubeApi, CUBE_BASE_PATH, type CubeApi } from '../cube/server.ts';
import { cubeSqlFunctions, PLACEHOLDER_VIEWS, postgresServingSetup } from '../cube/sql-functions.ts';
import { maxTokenSeconds, readToken, signToken, type SecurityContext } from '../auth/tokens.ts';
import { DEFAULT_SESSIONS, readSession, type SessionSettings } from '../auth/sessions.ts';
import { createOidcFlow, type OidcFlow, type OidcSettings } from '../auth/oidc.ts';
import { issuerUrl, redirectUri, transactionKey } from '../auth/oidc-rules.ts';
import { getUser, userContext } from '../auth/users.ts';
import { openOpsStore, opsStorePath, type OpsStore } from '../ops/store.ts';
import { ServingWarehouse, type Serving } from '../warehouse/serving.ts';
import { PgServingWarehouse } from '../warehouse/pg-serving.ts';
import { provideAuth, SESSION_COOKIE } from '../web/lib/server/session.ts';
import { provideReportingCurrency, provideWarehouse } from '../web/lib/server/warehouse.ts';
import { provideCollections, type CollectionsSettings } from '../web/lib/server/collections.ts';
import { DEFAULT_POLICY_FILE } from '../collections/policy.ts';
import { sendAlertMail, sendDigests } from '../alerts/mail.ts';
import { todayIn } from '../models/as-of.ts';
import { quarantinedRows, warehouseStatus } from '../ingest/status.ts';
import { WEB_HANDLER, ensureWebBuild } from './web-build.ts';
import { createCreditService, type CreditService } from '../credit/service.ts';
import { provideCredit } from '../web/lib/server/credit.ts';
import { creditApi } from './credit-api.ts';

export interface ServerOptions {
  /** The DuckDB warehouse folder; with `postgres`, only where the operational store lives by default. */
  readonly warehouseDir: string;
  /**
   * Serve a PostgreSQL warehouse (config `warehouse.engine: postgres`): the dashboard, the API and Cube
   * read that database; without it, the DuckDB warehouse in `warehouseDir` (the default).
   */
  readonly postgres?: { readonly url: string };
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Signs and verifies API tokens (server/secret.ts resolves it). */
  readonly apiSecret: string;
  /** The currency the marts report in (config `reporting_currency`); USD when absent. */
  readonly reportingCurrency?: string;
  /**
   * The warehouse holds the generated demo data set only (server/demo.ts): /signin offers one-click
   * demo users. Otherwise (the default) only accounts of the operational store sign in.
   */
  readonly demo?: boolean;
  /** The operational store (users, sessions, audit log); default: beside the warehouse folder. */
  readonly opsStore?: string;
  /** Session lifetimes (config `auth.session_idle_minutes`, `auth.session_hours`). */
  readonly sessions?: SessionSettings;
  /**
   * Single sign-on through OpenID Connect (config `auth.oidc`): the sign-in page offers it. The client
   * secret defaults to ARLENS_OIDC_CLIENT_SECRET; `public_url` to the address this server listens on
   * (tests; a real deployment names the address people use).
   */
  readonly oidc?: OidcSettings;
  /** Collections: the dunning policy file, the company on letters, SMTP (config `collections`). */
  readonly collections?: CollectionsSettings;
  /**
   * Alert email (alerts/): with SMTP configured, the server sends due alert email (and retries) every
   * few minutes, and each day's digests after `digestHour` o'clock in `timeZone` (config `timezone`).
   */
  readonly alerts?: { readonly timeZone: string; readonly digestHour: number };
  /** The credit policy (YAML); default: credit-policy.yaml beside the operational store, else built in. */
  readonly creditPolicy?: string;
  /** Progress lines (e.g. "Building the dashboard"). */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly warehouse: Serving;
  readonly cube: CubeApi;
  readonly ops: OpsStore;
  readonly credit: CreditService;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

/**
 * On every response (pages, /api, /cubejs-api, assets). Pages replace the CSP with SvelteKit's
 * (svelte.config.js `kit.csp`: scripts only from this server plus the nonce of the page's start-up
 * script); everything else is no document at all, so it may load nothing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not no-referrer: with it, browsers send `Origin: null` on form posts, and SvelteKit's CSRF check
  // then refuses every sign-in and sign-out.
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const PROTO_HEADER = 'x-arlens-proto';

/**
 * The session token from a Cookie header, if any. A malformed value counts as none (it used to throw
 * URIError inside the request listener, which stopped the whole server).
 */
function sessionToken(cookie: string | undefined): string | undefined {
  for (const part of cookie?.split(';') ?? []) {
    const [name, ...value] = part.trim().split('=');
    if (name !== SESSION_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

interface Auth {
  readonly secret: string;
  readonly ops: OpsStore;
  readonly sessions: SessionSettings;
  readonly demo: boolean;
  readonly credit: CreditService;
}

/**
 * A token signed for a user (`uid`, `arlens token --user`) holds only while that user is enabled and
 * keeps the role it was signed with; a token signed for a role only (`--role`) holds until it expires.
 */
function tokenHolds(ops: OpsStore, context: SecurityContext): boolean {
  if (context.uid === undefined) return true;
  const user = getUser(ops, context.uid);
  return !!user && !user.disabled && !user.demo && user.role === context.role;
}

/** The signed-in user of a dashboard session cookie, or null. */
function sessionCaller(a: Auth, cookie: string | undefined): SecurityContext | null {
  const session = readSession(a.ops, sessionToken(cookie), { settings: a.sessions, demo: a.demo });
  return session ? userContext(session.user) : null;
}

/**
 * Who calls the API: a token in `Authorization` (API tokens' maximum lifetime), else the
 * dashboard's session cookie; null when neither is valid.
 */
async function apiCaller(req: IncomingMessage, a: Auth): Promise<SecurityContext | null> {
  const auth = req.headers.authorization;
  if (!auth) return sessionCaller(a, req.headers.cookie);
  const result = await readToken(a.secret, auth);
  return result.ok && tokenHolds(a.ops, result.context) ? result.context : null;
}

/** Cube's requests: the session becomes a one-minute token; a user's token must still hold. */
async function cubeAuthorization(req: IncomingMessage, a: Auth): Promise<string | undefined> {
  const auth = req.headers.authorization;
  if (auth === undefined || auth === 'cookie') {
    const caller = sessionCaller(a, req.headers.cookie);
    return caller
      ? signToken(a.secret, caller, Math.floor(Date.now() / 1000) + 60, { maxLifetime: 120 })
      : undefined;
  }
  const result = await readToken(a.secret, auth);
  return result.ok && !tokenHolds(a.ops, result.context) ? undefined : auth;
}

async function api(wh: Serving, url: URL, req: IncomingMessage, res: ServerResponse, a: Auth): Promise<void> {
  if (url.pathname === '/api/health') {
    // Public (a load balancer's probe): whether a warehouse is served, and which generation.
    return sendJson(res, wh.generation > 0 ? 200 : 503, { ok: wh.generation > 0, generation: wh.generation });
  }
  const caller = await apiCaller(req, a);
  if (!caller) {
    return sendJson(
      res,
      401,
      { error: 'Sign in: this API needs the dashboard session or a token (Authorization: Bearer <token>).' },
      { 'www-authenticate': 'Bearer' },
    );
  }
  if (!Object.hasOwn(ROUTE_ROLES, url.pathname)) {
    return sendJson(res, 404, { error: `no such API: ${url.pathname}` });
  }
  if (!mayOpen(caller.role, url.pathname)) {
    return sendJson(res, 403, { error: 'Your role may not use this API.' });
  }
  if (await creditApi(a.credit, url.pathname, url, req, res, caller, sendJson)) return;
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET is supported' });
  const query = wh.query.bind(wh);
  switch (url.pathname) {
    case '/api/status':
      return sendJson(res, 200, { generation: wh.generation, ...(await warehouseStatus(query)) });
    case '/api/quarantine': {
      const asked = Math.trunc(Number(url.searchParams.get('limit') ?? 500)) || 500;
      const limit = Math.min(Math.max(asked, 1), 5000);
      const rows = await quarantinedRows(query, limit, url.searchParams.get('load_id') ?? undefined);
      return sendJson(res, 200, { rows });
    }
    default:
      return sendJson(res, 404, { error: `no such API: ${url.pathname}` });
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  // A wrong single sign-on address stops the start before anything is opened.
  if (options.oidc) issuerUrl(options.oidc.issuer);
  const fixedRedirect = options.oidc?.public_url ? redirectUri(options.oidc.public_url) : null;
  await ensureWebBuild(options.log);
  const wh: ServingWarehouse | PgServingWarehouse = options.postgres
    ? new PgServingWarehouse({
        url: options.postgres.url,
        connections: 16,
        setup: postgresServingSetup(),
      })
    : new ServingWarehouse({
        warehouseDir: options.warehouseDir,
        connections: 16,
        setup: cubeSqlFunctions(),
        placeholders: PLACEHOLDER_VIEWS,
      });
  wh.on('error', (e: unknown) => console.error(`warehouse swap failed: ${(e as Error).message}`));
  // A bad ARLENS_TOKEN_MAX_DAYS stops the start, not every later request.
  maxTokenSeconds();
  await wh.open().catch(async (e: unknown) => {
    await wh.close().catch(() => undefined);
    throw e;
  });
  const ops = openOpsStore(options.opsStore ?? opsStorePath(options.warehouseDir));
  let credit: CreditService;
  try {
    credit = await createCreditService({
      ops,
      query: wh.query.bind(wh),
      generation: () => wh.generation,
      engine: wh.engine,
      ...(options.creditPolicy ? { policyFile: options.creditPolicy } : {}),
    });
  } catch (e) {
    ops.close();
    await wh.close();
    throw e;
  }
  const a: Auth = {
    secret: options.apiSecret,
    ops,
    sessions: options.sessions ?? DEFAULT_SESSIONS,
    demo: options.demo ?? false,
    credit,
  };
  provideCredit(credit);
  // Cube's credit view reads a copy of the store's decisions and limits (credit/mirror.ts).
  await credit
    .syncMirror()
    .catch((e: unknown) => console.error(`credit mirror failed: ${(e as Error).message}`));
  const mirrorTimer = setInterval(() => {
    credit.syncMirror().catch((e: unknown) => console.error(`credit mirror failed: ${(e as Error).message}`));
  }, 5000);
  mirrorTimer.unref();
  const alertMailTimer = startAlertMail(ops, options);
  provideWarehouse(wh);
  // Known once the server listens (the default public address of single sign-on).
  let listening = '';
  let oidc: OidcFlow | null = null;
  if (options.oidc) {
    const o = options.oidc;
    const secret = o.client_secret ?? process.env['ARLENS_OIDC_CLIENT_SECRET'];
    oidc = createOidcFlow({
      issuer: o.issuer,
      clientId: o.client_id,
      ...(secret ? { clientSecret: secret } : {}),
      redirectUri: () => fixedRedirect ?? redirectUri(listening),
      key: transactionKey(options.apiSecret),
      store: ops,
    });
  }
  provideAuth({
    ops,
    sessions: a.sessions,
    demo: a.demo,
    oidc: oidc ? { label: options.oidc?.label ?? 'single sign-on', flow: oidc } : null,
  });
  provideReportingCurrency(options.reportingCurrency ?? 'USD');
  // The default policy's path is resolved here (unbundled): the dashboard's bundle cannot find it.
  provideCollections({ policyFile: DEFAULT_POLICY_FILE, ...options.collections });
  const cube = await createCubeApi({
    serving: wh,
    apiSecret: options.apiSecret,
    ...(options.postgres ? { postgres: options.postgres } : {}),
  });
  cube.app.disable('x-powered-by');
  // Refresh-key values are cached for a second: rebuild rollups a little after each swap.
  let refreshTimer: NodeJS.Timeout | undefined;
  wh.on('swap', () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      cube.refreshPreAggregations().catch((e: unknown) => {
        console.error(`pre-aggregation refresh failed: ${(e as Error).message}`);
      });
    }, 1100);
  });
  // adapter-node assumes https unless told the protocol; this server speaks plain http (behind a TLS
  // proxy, set ORIGIN=https://your.host instead). SvelteKit's CSRF check compares it with Origin.
  process.env['PROTOCOL_HEADER'] ??= PROTO_HEADER;
  const { handler } = (await import(pathToFileURL(WEB_HANDLER).href)) as { handler: NodeHandler };

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith(`${CUBE_BASE_PATH}/`)) {
      // The dashboard's browser code holds no token: its requests say `Authorization: cookie` and
      // carry the httpOnly session cookie; the live session becomes a token Cube checks like any other.
      cubeAuthorization(req, a)
        .then((auth) => {
          if (auth) req.headers.authorization = auth;
          else delete req.headers.authorization;
          cube.app(req, res);
        })
        .catch((e: unknown) => {
          console.error('cube authorization failed:', e);
          if (!res.headersSent) sendJson(res, 500, { error: 'The server could not answer this request.' });
        });
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      req.headers[PROTO_HEADER] = 'http';
      handler(req, res, () => sendJson(res, 404, { error: `no such page: ${url.pathname}` }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      return sendJson(res, 405, { error: 'only GET and POST are supported' });
    }
    api(wh, url, req, res, a).catch((e: unknown) => {
      // The detail (SQL, paths) stays in the server log; the client gets an id to quote.
      const requestId = randomUUID();
      console.error(`[${requestId}] ${req.method} ${url.pathname} failed:`, e);
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          { error: 'The server could not answer this request. The server log has the details.', requestId },
          { 'x-request-id': requestId },
        );
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      clearInterval(mirrorTimer);
      if (alertMailTimer) clearInterval(alertMailTimer);
      void cube
        .close()
        .then(() => wh.close())
        .finally(() => ops.close());
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `Port ${options.port} on ${options.host} is already in use (another ARLens?). ` +
                'Stop it, or pick another port: --port 3001, or server.port in arlens.config.yaml.',
              { cause: e },
            )
          : e,
      );
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  listening = `http://${host}:${port}`;
  return {
    url: `http://${host}:${port}/`,
    warehouse: wh,
    cube,
    ops,
    credit,
    close: async () => {
      clearTimeout(refreshTimer);
      clearInterval(mirrorTimer);
      if (alertMailTimer) clearInterval(alertMailTimer);
      await credit.syncMirror().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cube.close();
      await wh.close();
      ops.close();
    },
  };
}

/**
 * Alert email from the server: every five minutes, what is due (immediate alerts, retries), and once
 * the day's digest hour has passed in the installation's time zone, the digests (one per user and
 * day, whichever process sends it first). Nothing without SMTP.
 */
function startAlertMail(ops: OpsStore, options: ServerOptions): ReturnType<typeof setInterval> | null {
  const smtp = options.collections?.smtp;
  if (!smtp) return null;
  const timeZone = options.alerts?.timeZone ?? 'UTC';
  const digestHour = options.alerts?.digestHour ?? 7;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await sendAlertMail(ops, smtp);
      const hour = Number(
        new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()),
      );
      if (hour >= digestHour) await sendDigests(ops, smtp, todayIn(timeZone));
    } catch (e) {
      console.error(`alert email: ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), 5 * 60_000);
  timer.unref();
  return timer;
}
