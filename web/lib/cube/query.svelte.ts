/**
 * A Cube query as Svelte 5 state: `new CubeResult(() => query)` runs the query whenever it changes
 * (compared by value), drops answers that arrive for an older query, and exposes `status`, `rows`
 * and `error` for the widget's loading, empty and error states.
 */
import cube, { type CubeApi, type Query } from '@cubejs-client/core';

let api: CubeApi | undefined;

/** The browser's Cube client: same origin; the session cookie carries the role's token. */
export function cubeApi(): CubeApi {
  api ??= cube('cookie', { apiUrl: '/cubejs-api/v1' });
  return api;
}

export type Row = Record<string, string | number | boolean | null>;
export type Status = 'loading' | 'ready' | 'error';

export class CubeResult {
  status: Status = $state('loading');
  rows: Row[] = $state([]);
  error: string | null = $state(null);
  /** Milliseconds the last answer took (Cube round trip). */
  elapsedMs: number | null = $state(null);
  private seq = 0;
  private lastKey: string | undefined;

  constructor(query: () => Query | null) {
    $effect(() => {
      const q = query();
      const key = JSON.stringify(q);
      // The effect re-runs whenever anything `query` reads changes; only a different query reloads.
      if (key === this.lastKey) return;
      this.lastKey = key;
      void this.run(q, key);
    });
  }

  private async run(q: Query | null, key: string): Promise<void> {
    const seq = ++this.seq;
    if (q === null) {
      this.status = 'ready';
      this.rows = [];
      return;
    }
    this.status = 'loading';
    this.error = null;
    const started = performance.now();
    try {
      const result = await cubeApi().load(JSON.parse(key) as Query);
      if (seq !== this.seq) return;
      this.rows = result.rawData() as Row[];
      this.elapsedMs = performance.now() - started;
      this.status = 'ready';
    } catch (e) {
      if (seq !== this.seq) return;
      this.error = (e as Error).message;
      this.status = 'error';
    }
  }
}
