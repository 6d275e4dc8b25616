/**
 * The ARLens server: the JSON API under /api and the dashboard (SvelteKit, built into build/web)
 * for everything else. It reads the warehouse only through one ServingWarehouse, so a running
 * ingest or build never disturbs it. The Cube API mounts here in a later milestone.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { ServingWarehouse } from '../warehouse/serving.ts';
import { provideWarehouse } from '../web/lib/server/warehouse.ts';
import { quarantinedRows, warehouseStatus } from './status.ts';
import { WEB_HANDLER, ensureWebBuild } from './web-build.ts';

export interface ServerOptions {
  readonly warehouseDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Progress lines (e.g. "Building the dashboard"). */
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly warehouse: ServingWarehouse;
  close(): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function api(wh: ServingWarehouse, url: URL, res: ServerResponse): Promise<void> {
  const query = wh.query.bind(wh);
  switch (url.pathname) {
    case '/api/health':
      return sendJson(res, wh.generation > 0 ? 200 : 503, {
        ok: wh.generation > 0,
        generation: wh.generation,
      });
    case '/api/status':
      return sendJson(res, 200, { generation: wh.generation, ...(await warehouseStatus(query)) });
    case '/api/quarantine': {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 500) || 500, 5000);
      const rows = await quarantinedRows(query, limit, url.searchParams.get('load_id') ?? undefined);
      return sendJson(res, 200, { rows });
    }
    default:
      return sendJson(res, 404, { error: `no such API: ${url.pathname}` });
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  await ensureWebBuild(options.log);
  const wh = new ServingWarehouse({ warehouseDir: options.warehouseDir });
  wh.on('error', (e: unknown) => console.error(`warehouse swap failed: ${(e as Error).message}`));
  await wh.open();
  provideWarehouse(wh);
  const { handler } = (await import(pathToFileURL(WEB_HANDLER).href)) as { handler: NodeHandler };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) {
      handler(req, res, () => sendJson(res, 404, { error: `no such page: ${url.pathname}` }));
      return;
    }
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET is supported' });
    api(wh, url, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 503, { error: (e as Error).message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      void wh.close();
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
  return {
    url: `http://${host}:${port}/`,
    warehouse: wh,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await wh.close();
    },
  };
}
