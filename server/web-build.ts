/**
 * The dashboard is a SvelteKit app (web/, svelte.config.js) built by Vite into build/web. The server
 * builds it on start when the build is missing or older than its sources, so `npm start` needs no
 * separate build step.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const WEB_HANDLER = join(ROOT, 'build', 'web', 'handler.js');
const SOURCES = ['web', 'auth', 'svelte.config.js', 'vite.config.ts', 'server/status.ts', 'cube/tokens.ts'];

async function newestMtime(path: string): Promise<number> {
  const stat = await fs.stat(path).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  const entries = await fs.readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(stat.mtimeMs, ...times);
}

/** Build the dashboard if needed; returns true when it built. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<boolean> {
  const built = (await fs.stat(WEB_HANDLER).catch(() => undefined))?.mtimeMs ?? 0;
  const sources = Math.max(...(await Promise.all(SOURCES.map((s) => newestMtime(join(ROOT, s))))));
  if (built > sources) return false;
  log('Building the dashboard (web/ -> build/web) ...');
  const { build } = await import('vite');
  // Vite and the adapter print developer chatter ("Run npm run preview", plugin timings) straight to
  // the console; keep it, and show it only if the build fails.
  const chatter: string[] = [];
  const original = { log: console.log, info: console.info, warn: console.warn };
  const keep = (...args: unknown[]) => void chatter.push(args.map(String).join(' '));
  Object.assign(console, { log: keep, info: keep, warn: keep });
  // SvelteKit reads svelte.config.js (and the web/ paths in it) from the working directory.
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
  } catch (e) {
    Object.assign(console, original);
    console.error(chatter.join('\n'));
    throw new Error(`Building the dashboard failed: ${(e as Error).message}`, { cause: e });
  } finally {
    process.chdir(cwd);
    Object.assign(console, original);
  }
  return true;
}
