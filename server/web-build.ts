/**
 * The dashboard is a SvelteKit app (web/, svelte.config.js) built by Vite into build/web. The server
 * builds it on start when the build is missing or older than its sources, so `npm start` needs no
 * separate build step.
 *
 * Its sources are the build's own module graph: every file of this repository that Vite bundled
 * (web/, and whatever it imports from auth/, cube/, warehouse/, ingest/, core/, …), recorded in
 * build/web/sources.json after each build, plus the build's configuration and the lockfile. Editing
 * any of them, or deleting one, rebuilds; no hand-kept list can miss a file.
 */
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin } from 'vite';

export const ROOT = join(import.meta.dirname, '..');
export const WEB_HANDLER = join(ROOT, 'build', 'web', 'handler.js');
const SOURCES_FILE = join(ROOT, 'build', 'web', 'sources.json');
const CONFIG = ['svelte.config.js', 'vite.config.ts', 'package-lock.json', 'server/web-build.ts'];

/** Files of this repository (relative paths) that a module id names, or null for packages and virtual modules. */
export function repoFile(id: string): string | null {
  const path = id.split('?')[0] ?? '';
  if (!path.startsWith(ROOT + sep)) return null;
  const rel = relative(ROOT, path);
  if (
    rel.startsWith(`node_modules${sep}`) ||
    rel.startsWith(`.svelte-kit${sep}`) ||
    rel.startsWith(`build${sep}`)
  ) {
    return null;
  }
  return rel.split(sep).join('/');
}

/** A Vite plugin that collects the repository files every build (client and server) bundled. */
function recordSources(into: Set<string>): Plugin {
  return {
    name: 'arlens-record-sources',
    apply: 'build',
    buildEnd() {
      for (const id of this.getModuleIds()) {
        const file = repoFile(id);
        if (file) into.add(file);
      }
    },
  };
}

/**
 * Why a build is stale, or null: `built` is the build's time (undefined: none), `sources` the files
 * it recorded (undefined: no record), `mtimeOf` a file's modification time (undefined: gone).
 */
export function staleness(
  built: number | undefined,
  sources: readonly string[] | undefined,
  mtimeOf: (file: string) => number | undefined,
): string | null {
  if (built === undefined) return 'no build yet';
  if (sources === undefined) return 'the build has no list of its sources';
  for (const file of [...CONFIG, ...sources]) {
    const mtime = mtimeOf(file);
    if (mtime === undefined) return `${file} is gone`;
    if (mtime >= built) return `${file} changed`;
  }
  return null;
}

/** Why the dashboard must be built, or null when build/web is current. */
export async function webBuildStale(): Promise<string | null> {
  const built = (await fs.stat(WEB_HANDLER).catch(() => undefined))?.mtimeMs;
  const sources = await fs
    .readFile(SOURCES_FILE, 'utf8')
    .then((text) => JSON.parse(text) as string[])
    .catch(() => undefined);
  const mtimes = new Map<string, number | undefined>();
  for (const file of [...CONFIG, ...(sources ?? [])]) {
    mtimes.set(file, (await fs.stat(join(ROOT, file)).catch(() => undefined))?.mtimeMs);
  }
  return staleness(built, sources, (f) => mtimes.get(f));
}

/** Build the dashboard if needed; returns true when it built. */
export async function ensureWebBuild(log: (line: string) => void = () => {}): Promise<boolean> {
  if ((await webBuildStale()) === null) return false;
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
    const sources = new Set<string>();
    await build({
      root: ROOT,
      configFile: join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      plugins: [recordSources(sources)],
    });
    if (sources.size === 0) throw new Error('the build recorded no source files');
    await fs.writeFile(SOURCES_FILE, `${JSON.stringify([...sources].sort(), null, 1)}\n`);
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
