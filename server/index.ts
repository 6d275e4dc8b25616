/**
 * The ARLens server. Today it serves the warehouse's load status (JSON API and a plain page);
 * the Cube API and the dashboard mount here in later milestones. It reads the warehouse only
 * through ServingWarehouse, so a running ingest or build never disturbs it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServingWarehouse } from '../warehouse/serving.ts';
import { ENTITY_NAMES } from '../ingest/contract.ts';
import type { Row } from '../warehouse/convert.ts';
import { renderStatusPage } from './status-page.ts';

export interface ServerOptions {
  readonly warehouseDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export interface RunningServer {
  readonly url: string;
  readonly warehouse: ServingWarehouse;
  close(): Promise<void>;
}

export interface WarehouseStatus {
  readonly generation: number;
  readonly tables: { entity: string; rows: number }[];
  readonly loads: Row[];
}

async function status(wh: ServingWarehouse): Promise<WarehouseStatus> {
  const counts = await wh.query(
    ENTITY_NAMES.map((e) => `SELECT '${e}' AS entity, count(*) AS n FROM raw.${e}`).join(' UNION ALL '),
  );
  const loads = await wh.query(
    `SELECT load_id, finished_at, file_name, profile, entity, rows_read, rows_loaded, rows_quarantined,
            records_inserted, records_updated, records_unchanged
     FROM meta.loads ORDER BY finished_at DESC, load_id DESC LIMIT 200`,
  );
  const order = new Map(ENTITY_NAMES.map((e, i) => [e as string, i]));
  const tables = counts
    .map((r) => ({ entity: String(r['entity']), rows: Number(r['n']) }))
    .sort((a, b) => (order.get(a.entity) ?? 0) - (order.get(b.entity) ?? 0));
  return { generation: wh.generation, tables, loads };
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function handle(wh: ServingWarehouse, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'only GET is supported' });
  switch (url.pathname) {
    case '/api/health':
      return sendJson(res, wh.generation > 0 ? 200 : 503, {
        ok: wh.generation > 0,
        generation: wh.generation,
      });
    case '/api/status':
      return sendJson(res, 200, await status(wh));
    case '/api/quarantine': {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 500) || 500, 5000);
      const loadId = url.searchParams.get('load_id');
      const rows = await wh.query(
        `SELECT load_id, file_name, entity, row_number, column_name, reason_code, reason, value
         FROM meta.quarantine ${loadId ? 'WHERE load_id = $2' : ''}
         ORDER BY load_id DESC, file_name, row_number, column_name LIMIT $1`,
        loadId ? [limit, loadId] : [limit],
      );
      return sendJson(res, 200, { rows });
    }
    case '/': {
      const s = await status(wh);
      const q = await wh.query(
        `SELECT file_name, entity, row_number, column_name, reason, value FROM meta.quarantine
         ORDER BY load_id DESC, file_name, row_number LIMIT 100`,
      );
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(renderStatusPage(s, q));
      return;
    }
    default:
      return sendJson(res, 404, { error: `no such page: ${url.pathname}` });
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const wh = new ServingWarehouse({ warehouseDir: options.warehouseDir });
  wh.on('error', (e: unknown) => console.error(`warehouse swap failed: ${(e as Error).message}`));
  await wh.open();
  const server = createServer((req, res) => {
    handle(wh, req, res).catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 503, { error: (e as Error).message });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
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
