/**
 * `arlens bi …`: the door for BI tools on a PostgreSQL warehouse (docs/bi.md) — set up the groups and
 * row-level security of the published tables, grant a person a login, revoke it, list the logins.
 * Changes are audited in the operational store as `cli:<os user>`.
 */
import type { Command } from 'commander';
import { isRole } from '../../auth/policy.ts';
import { findUser } from '../../auth/users.ts';
import { BiError } from '../../bi/policy.ts';
import { applyBiPolicies, grantLogin, listLogins, revokeLogin } from '../../bi/service.ts';
import { openOpsStore } from '../../ops/store.ts';
import { PgSession } from '../../warehouse/session.ts';
import type { Context } from '../context.ts';
import { cliActor, storePath } from './users.ts';

/** The PostgreSQL warehouse: --url, else the config's (warehouse.engine: postgres), else ARLENS_PG_URL. */
async function pgUrl(ctx: Context, flag: string | undefined): Promise<string> {
  const c = await ctx.config().catch(() => null);
  const url =
    flag ?? (c?.engine.kind === 'postgres' ? c.engine.url : undefined) ?? process.env['ARLENS_PG_URL'];
  if (!url) {
    throw new BiError(
      'The BI door needs the PostgreSQL warehouse: pass --url postgres://… or set ARLENS_PG_URL (docs/bi.md).',
    );
  }
  return url;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function withPg<T>(url: string, fn: (s: PgSession) => Promise<T>): Promise<T> {
  const session = await PgSession.connect(url, { applicationName: 'arlens bi' });
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

interface GrantFlags {
  url?: string;
  role: string;
  regions?: string;
  portfolio?: string;
  user?: string;
  generate: boolean;
  passwordStdin: boolean;
}

export function registerBi(program: Command, ctx: Context): void {
  const bi = program
    .command('bi')
    .description(
      'Read-only logins for BI tools on a PostgreSQL warehouse, with row-level security (docs/bi.md)',
    );

  bi.command('setup')
    .description('Create the BI groups and the row-level security policies of the published tables')
    .option('--url <url>', 'the PostgreSQL warehouse (default: ARLENS_PG_URL)')
    .action(async (o: { url?: string }) => {
      const n = await withPg(await pgUrl(ctx, o.url), (s) => applyBiPolicies(s));
      console.log(`BI groups and the policies of ${n} table(s) are in place.`);
    });

  bi.command('grant <login>')
    .description("Give a person a login in their role's group (or change it): sees what they see in ARLens")
    .requiredOption('--role <role>', 'cfo, analyst, sales_lead, collector or credit_manager')
    .option('--regions <list>', "a sales lead's regions, comma-separated")
    .option('--portfolio <name>', "a credit controller's portfolio (their name as credit controller)")
    .option(
      '--user <username>',
      'the ARLens user this login belongs to (takes role and scope from the account)',
    )
    .option('--generate', 'generate a password and print it once', false)
    .option('--password-stdin', 'read the password from standard input', false)
    .option('--url <url>', 'the PostgreSQL warehouse (default: ARLENS_PG_URL)')
    .action(async (login: string, o: GrantFlags) => {
      const c = await ctx.config();
      const store = openOpsStore(storePath(c));
      try {
        const role = o.role;
        let regions = (o.regions ?? '')
          .split(',')
          .map((r) => r.trim())
          .filter((r) => r !== '');
        let portfolio = o.portfolio ?? null;
        if (o.user) {
          const u = findUser(store, o.user);
          if (!u || u.disabled) throw new BiError(`No active ARLens user named ${o.user}.`);
          if (u.role !== role) throw new BiError(`${o.user} is a ${u.role} in ARLens, not a ${role}.`);
          regions = [...u.regions];
          portfolio = u.portfolio;
        }
        if (!isRole(role)) throw new BiError(`--role ${role} is not a role.`);
        if (o.generate && o.passwordStdin)
          throw new BiError('Choose --generate or --password-stdin, not both.');
        const password = o.generate
          ? ({ generate: true } as const)
          : o.passwordStdin
            ? { given: await readStdin() }
            : ({ keep: true } as const);
        const r = await withPg(await pgUrl(ctx, o.url), (s) =>
          grantLogin(
            s,
            store,
            cliActor(),
            { login, role, regions, portfolio, arlensUser: o.user ?? null },
            password,
          ),
        );
        console.log(
          `${r.login} may connect as a ${role}${regions.length ? ` (${regions.join(', ')})` : ''}${portfolio ? ` (${portfolio})` : ''}.`,
        );
        if (r.password) console.log(`Password (shown once): ${r.password}`);
      } finally {
        store.close();
      }
    });

  bi.command('revoke <login>')
    .description('Remove a login (its scope first: a half-removed login sees nothing)')
    .option('--url <url>', 'the PostgreSQL warehouse (default: ARLENS_PG_URL)')
    .action(async (login: string, o: { url?: string }) => {
      const c = await ctx.config();
      const store = openOpsStore(storePath(c));
      try {
        const had = await withPg(await pgUrl(ctx, o.url), (s) => revokeLogin(s, store, cliActor(), login));
        console.log(
          had ? `${login} was removed.` : `${login} had no BI grant; any role of that name was removed.`,
        );
      } finally {
        store.close();
      }
    });

  bi.command('list')
    .description('The BI logins and their scope')
    .option('--url <url>', 'the PostgreSQL warehouse (default: ARLENS_PG_URL)')
    .action(async (o: { url?: string }) => {
      const rows = await withPg(await pgUrl(ctx, o.url), (s) => listLogins(s));
      if (rows.length === 0) console.log('No BI logins: arlens bi grant <login> --role …');
      for (const r of rows) {
        const scope = r['regions']
          ? ` regions ${String(r['regions'])}`
          : r['portfolio']
            ? ` portfolio ${String(r['portfolio'])}`
            : '';
        console.log(
          `${String(r['login'])}  ${String(r['arlens_role'])}${scope}  (by ${String(r['created_by'])}, ${String(r['created_at'])})`,
        );
      }
    });
}
