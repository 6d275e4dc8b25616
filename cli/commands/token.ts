/** `arlens token`: a signed API token for a role (Cube API, BI tools, dashboard sign-in). */
import { Option, type Command } from 'commander';
import { ROLES, signToken, type Role, type SecurityContext } from '../../cube/tokens.ts';
import { resolveApiSecret } from '../../server/secret.ts';
import type { Context } from '../context.ts';

export function registerToken(program: Command, ctx: Context): void {
  program
    .command('token')
    .description('Print a signed API token (JWT) for a role, to query the Cube API with curl or a BI tool.')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--region <region...>', 'region(s) a sales_lead sees')
    .option('--portfolio <controller>', 'credit controller whose customers a collector sees')
    .option('--expires <span>', 'lifetime, e.g. 8h, 30d (at most 30 days; ARLENS_TOKEN_MAX_DAYS)', '8h')
    .action(async (o: { role: Role; region?: string[]; portfolio?: string; expires: string }) => {
      const c = await ctx.config();
      const { secret } = await resolveApiSecret(c.warehouse);
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
    });
}
