/**
 * A throwaway PostgreSQL cluster for the tests: started once per Vitest run by tests/global-setup.ts,
 * in a private directory under the system temp dir, listening on a unix socket only (no TCP port to
 * collide with), fsync off, stopped and removed at teardown. Each test file makes its own database
 * (`pgDatabase`), so files running in parallel never see each other's tables.
 *
 * initdb refuses to run as root: when the tests run as root the server runs as the `postgres` user
 * (through `runuser`), and the directory is handed to that user. The Debian cluster (`pg_ctlcluster`)
 * is never touched.
 *
 * When no server binaries exist, `startCluster` returns the reason instead of a cluster; the global
 * setup prints it and provides `pgUrl: null`, and the PostgreSQL suites skip with `describe.skipIf`
 * (tests/pg/database.ts). This file runs in Vitest's main process: it must not import from 'vitest'.
 */
import { execFile } from 'node:child_process';
import { promises as fs, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The port is only the socket's name (`.s.PGSQL.<port>` in our own directory): it cannot collide. */
const PORT = 5432;
const PREFIX = 'arlens-pg-';
/** The cluster's own time zone: the one Vitest pins (vitest.config.ts), so sessions must set UTC themselves. */
const CLUSTER_TIME_ZONE = 'Asia/Tokyo';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test cluster's `postgres` database, or null when PostgreSQL is unavailable. */
    pgUrl: string | null;
  }
}

export interface Cluster {
  /** Superuser (`arlens`, trust auth on the private socket) URL of the `postgres` database. */
  readonly url: string;
  readonly dir: string;
  readonly version: string;
  stop(): Promise<void>;
}

/** Where the server binaries are: PG_BIN, else `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin. */
export async function findPgBin(): Promise<string | null> {
  // PG_BIN, when set, is the only place looked at (PG_BIN=/nonexistent turns the PostgreSQL suites off).
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : null;
  const candidates: string[] = [];
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    candidates.push(stdout.trim());
  } catch {
    // no pg_config on PATH
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not a Debian layout
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) ?? null;
}

/** The user the server runs as, and the command prefix that switches to it (root cannot run initdb). */
async function serverUser(): Promise<{ prefix: string[]; uid: number; gid: number } | string> {
  const me = userInfo();
  if (me.uid !== 0) return { prefix: [], uid: me.uid, gid: me.gid };
  let uid: number, gid: number;
  try {
    const [{ stdout: u }, { stdout: g }] = await Promise.all([
      run('id', ['-u', 'postgres']),
      run('id', ['-g', 'postgres']),
    ]);
    uid = Number(u.trim());
    gid = Number(g.trim());
  } catch {
    return 'running as root, and there is no `postgres` user to run the server as (initdb refuses root)';
  }
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    if (existsSync(join(dir, 'runuser')))
      return { prefix: [join(dir, 'runuser'), '-u', 'postgres', '--'], uid, gid };
  }
  return 'running as root, and `runuser` is not available to start the server as `postgres`';
}

/** Stop and remove clusters left in the temp dir by test runs that died (their owner pid is gone). */
async function removeOrphans(bin: string, prefix: string[]): Promise<void> {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8'));
    } catch {
      continue; // being created right now, or not ours
    }
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) continue;
    await stopServer(bin, prefix, dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function stopServer(bin: string, prefix: string[], dir: string): Promise<void> {
  if (!existsSync(join(dir, 'data', 'postmaster.pid'))) return;
  const [cmd, ...args] = [
    ...prefix,
    join(bin, 'pg_ctl'),
    '-D',
    join(dir, 'data'),
    '-m',
    'immediate',
    '-w',
    'stop',
  ];
  await run(cmd!, args).catch(() => undefined);
}

/** Start a cluster, or say why none can be started. */
export async function startCluster(): Promise<Cluster | { skip: string }> {
  const bin = await findPgBin();
  if (!bin) {
    const where = process.env.PG_BIN ? `in PG_BIN=${process.env.PG_BIN}` : 'on this machine';
    return { skip: `no PostgreSQL server binaries (initdb) ${where}; install postgresql or set PG_BIN` };
  }
  const user = await serverUser();
  if (typeof user === 'string') return { skip: user };
  await removeOrphans(bin, user.prefix);

  const dir = await fs.mkdtemp(join(tmpdir(), PREFIX));
  const exec = (tool: string, args: string[]) => {
    const [cmd, ...rest] = [...user.prefix, join(bin, tool), ...args];
    return run(cmd!, rest, { env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: CLUSTER_TIME_ZONE } });
  };
  try {
    await fs.writeFile(join(dir, 'owner.pid'), String(process.pid));
    if (user.prefix.length > 0) await fs.chown(dir, user.uid, user.gid);
    await exec('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      'arlens',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ]);
    const options = [
      `-p ${PORT}`,
      `-k ${dir}`,
      "-c listen_addresses=''",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c shared_buffers=32MB',
      '-c max_connections=60',
      '-c max_parallel_workers_per_gather=0',
      '-c jit=off',
      `-c timezone=${CLUSTER_TIME_ZONE}`,
    ].join(' ');
    await exec('pg_ctl', [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      options,
      'start',
    ]);
  } catch (err) {
    const log = await fs.readFile(join(dir, 'server.log'), 'utf8').catch(() => '');
    await stopServer(bin, user.prefix, dir);
    await fs.rm(dir, { recursive: true, force: true });
    const reason = err instanceof Error ? err.message : String(err);
    return { skip: `the test cluster did not start: ${reason.trim()}${log ? `\n${log.trim()}` : ''}` };
  }
  // `localhost` only makes the URL well-formed: the `host` parameter (the socket directory) overrides it.
  const url = `postgres://arlens@localhost:${PORT}/postgres?host=${encodeURIComponent(dir)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const version = String(
    (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v,
  );
  await client.end();
  return {
    url,
    dir,
    version,
    async stop() {
      await stopServer(bin, user.prefix, dir);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** The URL of database `name` on the cluster at `url`. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}
