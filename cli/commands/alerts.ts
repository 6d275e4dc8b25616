/**
 * `arlens alerts …`: early-warning alerts from the server's shell — evaluate the subscriptions now
 * (a build does it by itself), send what email is due (retries), send the daily digests (run from
 * cron once a day; a second run the same day sends nothing new), subscribe a user, list a user's
 * alerts. The shell acts as the operator (`cli:<os user>` in the audit log).
 */
import type { Command } from 'commander';
import { sendAlertMail, sendDigests } from '../../alerts/mail.ts';
import { AlertError, ALERT_KINDS, DELIVERIES } from '../../alerts/rules.ts';
import { hasAlertWork, runAlerts, type AlertRun } from '../../alerts/service.ts';
import { listAlerts, subscribe } from '../../alerts/store.ts';
import { alertText, subscriptionText } from '../../alerts/text.ts';
import { findUser } from '../../auth/users.ts';
import { todayIn } from '../../models/as-of.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { warehouseExists } from '../../warehouse/store.ts';
import { smtpConfig, type Config } from '../config.ts';
import type { Context } from '../context.ts';
import { withWarehouseQueryIfAny } from '../warehouse.ts';
import { withStore } from './dunning.ts';
import { cliActor, storePath } from './users.ts';

/** The address links in alert emails point to (the OIDC public URL when set). */
function publicLink(c: Config): string | null {
  return c.auth.oidc?.public_url?.replace(/\/+$/, '') ?? null;
}

export function alertRunLine(r: AlertRun): string {
  const mail = r.mail
    ? `, ${r.mail.sent} emailed${r.mail.failed ? `, ${r.mail.failed} email(s) failed (retried later)` : ''}`
    : '';
  const promises =
    r.promises.broken + r.promises.kept > 0
      ? `; promises settled: ${r.promises.kept} kept, ${r.promises.broken} broken`
      : '';
  const unknown = r.unknown > 0 ? `, ${r.unknown} not judged (amounts in an unconverted currency)` : '';
  return `Alerts: ${r.subscriptions} subscription(s) evaluated, ${r.raised} raised, ${r.cleared} cleared${unknown}${mail}${promises}.`;
}

/**
 * Evaluate every subscription on the published warehouse, DuckDB or PostgreSQL (after a build;
 * `arlens alerts evaluate`); null when there is nothing to do or no warehouse yet.
 */
export async function evaluateAfterBuild(
  c: Config,
  trigger: 'build' | 'manual' | 'score',
): Promise<AlertRun | null> {
  // No DuckDB warehouse yet: nothing to read (PostgreSQL: withWarehouseQueryIfAny looks below).
  if (c.engine?.kind !== 'postgres' && !(await warehouseExists(c.warehouse))) return null;
  const today = todayIn(c.timezone);
  // Nothing to do (no subscription, no promise due): do not read the warehouse at all.
  const probe = openOpsStore(storePath(c));
  try {
    if (!hasAlertWork(probe, today)) return null;
  } finally {
    probe.close();
  }
  return withWarehouseQueryIfAny(c, 'arlens alerts', async (query) => {
    const store = openOpsStore(storePath(c));
    try {
      return await runAlerts(store, query, {
        trigger,
        actor: cliActor(),
        today,
        smtp: smtpConfig(c),
        link: publicLink(c),
      });
    } finally {
      store.close();
    }
  });
}

function needSmtp(c: Config) {
  const smtp = smtpConfig(c);
  if (!smtp)
    throw new AlertError(
      'No SMTP server is configured: set collections.smtp in the config (docs/collections.md).',
    );
  return smtp;
}

function userId(store: OpsStore, username: string): number {
  const u = findUser(store, username);
  if (!u) throw new AlertError(`No user named ${username}: arlens users list shows them.`, 404);
  return u.id;
}

export function registerAlerts(program: Command, ctx: Context): void {
  const alerts = program
    .command('alerts')
    .description('Early-warning alerts: evaluate subscriptions, send alert email and daily digests, list');

  alerts
    .command('evaluate')
    .description('Evaluate every subscription on the published warehouse now (each build does this itself)')
    .action(async () => {
      const r = await evaluateAfterBuild(await ctx.config(), 'manual');
      console.log(
        r
          ? alertRunLine(r)
          : 'Nothing to evaluate: no warehouse yet (arlens build), or no subscription and no promise due.',
      );
    });

  alerts
    .command('send')
    .description('Send the immediate alert email that is due (failed ones after their pause)')
    .action(() =>
      withStore(ctx, async (store, c) => {
        const r = await sendAlertMail(store, needSmtp(c), { link: publicLink(c) });
        console.log(`Alert email: ${r.sent} sent, ${r.failed} failed.`);
        if (r.failed > 0) process.exitCode = 1;
      }),
    );

  alerts
    .command('digest')
    .description("Send today's digest to each user with digest alerts (run once a day, e.g. from cron)")
    .option('--date <date>', "the digest's date (default: today in the config's time zone)")
    .action((o: { date?: string }) =>
      withStore(ctx, async (store, c) => {
        const date = o.date ?? todayIn(c.timezone);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
          throw new AlertError(`--date ${date} is not a date as YYYY-MM-DD.`);
        const r = await sendDigests(store, needSmtp(c), date, { link: publicLink(c) });
        console.log(`Digests for ${date}: ${r.sent} sent, ${r.failed} failed.`);
        if (r.failed > 0) process.exitCode = 1;
      }),
    );

  alerts
    .command('subscribe <username> <condition>')
    .description(
      `Subscribe a user to a condition (${ALERT_KINDS.join(', ')}), within their row-level security`,
    )
    .option('--threshold <n>', 'percent (overdue_share, utilisation) or days (days_past_due, region_dso)')
    .option('--customer <id>', 'one customer only')
    .option('--region <name>', 'one region only')
    .option('--delivery <how>', `${DELIVERIES.join(', ')}`, 'app')
    .action(
      (
        username: string,
        kind: string,
        o: { threshold?: string; customer?: string; region?: string; delivery: string },
      ) =>
        withStore(ctx, (store) => {
          const s = subscribe(store, cliActor(), userId(store, username), {
            kind,
            threshold: o.threshold,
            customerId: o.customer,
            region: o.region,
            delivery: o.delivery,
          });
          console.log(`Subscription ${s.id} for ${username}: ${subscriptionText(s, 'en')}, ${s.delivery}.`);
        }),
    );

  alerts
    .command('list <username>')
    .description("A user's latest alerts")
    .option('--unread', 'unread ones only', false)
    .option('--lang <lang>', 'en or ja', 'en')
    .action((username: string, o: { unread: boolean; lang: string }) =>
      withStore(ctx, (store) => {
        const lang = o.lang === 'ja' ? 'ja' : 'en';
        const { total, alerts: list } = listAlerts(store, userId(store, username), {
          unreadOnly: o.unread,
          limit: 100,
        });
        for (const a of list) {
          console.log(
            `${a.raisedAt.slice(0, 16).replace('T', ' ')}  ${a.readAt ? ' ' : '*'} ${alertText(a.kind, a.facts, lang)}`,
          );
        }
        console.log(`${total} alert(s)${o.unread ? ' unread' : ''}.`);
      }),
    );
}
