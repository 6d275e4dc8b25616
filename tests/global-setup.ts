/** Vitest global setup: build the dashboard once, before test files start servers in parallel. */
import { ensureWebBuild } from '../server/web-build.ts';

export async function setup(): Promise<void> {
  await ensureWebBuild();
}
