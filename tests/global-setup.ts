/**
 * Vitest global setup: build the dashboard once, before test files start servers in parallel, and
 * start the throwaway PostgreSQL cluster the PostgreSQL suites share (tests/pg/cluster.ts), both at once.
 * When no PostgreSQL can be started, the suites skip and this prints why, once.
 */
import type { TestProject } from 'vitest/node';
import { ensureWebBuild } from '../server/web-build.ts';
import { startCluster, type Cluster } from './pg/cluster.ts';

let cluster: Cluster | null = null;

export async function setup(project: TestProject): Promise<void> {
  const [, pg] = await Promise.all([ensureWebBuild(), startCluster()]);
  if ('skip' in pg) {
    console.warn(`\nPostgreSQL tests SKIPPED: ${pg.skip}\n`);
    project.provide('pgUrl', null);
    return;
  }
  cluster = pg;
  project.provide('pgUrl', pg.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
  cluster = null;
}
