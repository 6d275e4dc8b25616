/**
 * `arlens token`: a signed API token (Cube API, BI tools, scripts). With --user, the token speaks for
 * that account (a person or a system user such as an ERP's): it stops working as soon as the user is
 * disabled or changes role. With --role, it speaks for a role only, until it expires.
 */
import { Option, type Command } from 'commander';
import { ROLES, signToken, type Role, type SecurityContext } from '../../auth/tokens.ts';
import { findUser, userContext } from '../../auth/users.ts';
import { openOpsStore } from '../../ops/store.ts';
import { resolveApiSecret } from '../../server/secret.ts';
import type { Context } from '../context.ts';
import { storePath } from './users.ts';

export function registerToken(program: Command, ctx: Context): void {
  program
    .command('token')
    .description(
      'Print a signed API token (JWT) for a user or a role, to query the Cube API with curl or a BI tool.',
    )
    .option('--user <username>', 'the account the token speaks for (revoked with the account)')
    .addOption(new Option('--role <role>', 'a role, without an account').choices(ROLES))
    .option('--region <region...>', 'region(s) a sales_lead sees')
    .option('--portfolio <controller>', 'credit controller whose customers a collector sees')
    .option('--expires <span>', 'lifetime, e.g. 8h, 30d (at most 30 days; ARLENS_TOKEN_MAX_DAYS)', '8h')
    .action(
      async (o: { user?: string; role?: Role; region?: string[]; portfolio?: string; expires: string }) => {
        const c = await ctx.config();
        const { secret } = await resolveApiSecret(c.warehouse);
        if (o.user !== undefined) {
          if (o.role) throw new Error('give --user or --role, not both: a user token has the user’s role');
          const store = openOpsStore(storePath(c));
          try {
            const user = findUser(store, o.user);
            if (!user) throw new Error(`No user named ${o.user}: arlens users list shows them.`);
            if (user.disabled || user.demo)
              throw new Error(`${o.user} is disabled or a demo user: no token.`);
            console.log(await signToken(secret, userContext(user), o.expires));
          } finally {
            store.close();
          }
          return;
        }
        if (!o.role) throw new Error('give --user <username> or --role <role>');
        const context: SecurityContext =
          o.role === 'sales_lead'
            ? { role: o.role, regions: o.region ?? [] }
            : o.role === 'collector'
              ? { role: o.role, portfolio: o.portfolio ?? '' }
              : { role: o.role };
        if (context.role === 'sales_lead' && context.regions.length === 0) {
          throw new Error('a sales_lead token needs --region (one or more regions)');
        }
        if (context.role === 'collector' && context.portfolio === '') {
          throw new Error('a collector token needs --portfolio <credit controller>');
        }
        console.log(await signToken(secret, context, o.expires));
      },
    );
}
