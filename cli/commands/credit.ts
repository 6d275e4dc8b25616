/**
 * `arlens credit-check`: check one order (--customer, --amount, --currency, --order) or a CSV of open
 * orders (--file) as the named user (--user: an account whose role may check orders; the decisions
 * and the audit name them). `arlens credit-limits`: the limits for the ERP (--layout canonical|sap).
 */
import type { Command } from 'commander';
import { findUser } from '../../auth/users.ts';
import { CreditError, type CreditActor } from '../../credit/actor.ts';
import {
  checkOrder,
  checkOrders,
  decisionJson,
  parseOrder,
  type StoredDecision,
} from '../../credit/checks.store.ts';
import { LIMIT_LAYOUTS, limitsCsv, type LimitLayout } from '../../credit/export.ts';
import { loadSnapshot, type WarehouseSnapshot } from '../../credit/facts.ts';
import { limitExportRows } from '../../credit/limits.ts';
import { readOrdersCsv } from '../../credit/orders-file.ts';
import { loadPolicy } from '../../credit/policy.ts';
import { policyPath } from '../../credit/service.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import type { Context } from '../context.ts';
import { withWarehouseQuery } from '../warehouse.ts';
import { storePath } from './users.ts';

function actorFor(store: OpsStore, username: string | undefined): CreditActor {
  if (!username) throw new Error('Name the account the check runs as: --user <username>.');
  const u = findUser(store, username);
  if (!u || u.disabled) throw new Error(`No enabled user named ${username}: arlens users list shows them.`);
  return { id: u.id, name: u.username, address: 'cli', role: u.role, regions: u.regions };
}

const line = (d: StoredDecision) =>
  [
    d.orderId ?? '-',
    d.customerId,
    d.amount,
    d.currency,
    d.outcome,
    d.reasons.map((r) => r.code).join(',') || '-',
  ].join('\t');

export function registerCredit(program: Command, ctx: Context): void {
  program
    .command('credit-check')
    .description('Check an order, or a CSV of open orders, against credit limits: approve, hold or escalate.')
    .option('--user <username>', 'the account the check runs as (its role must be allowed to check orders)')
    .option('--customer <id>', 'customer id')
    .option('--amount <amount>', 'order amount, e.g. 1234.56')
    .option('--currency <code>', 'order currency (ISO 4217)')
    .option('--order <id>', 'order id (optional)')
    .option('--file <orders.csv>', 'a CSV of orders: customer_id, amount, currency[, order_id]')
    .option('--policy <file>', 'the credit policy (default: credit-policy.yaml beside the operational store)')
    .option('--json', 'one JSON object per decision', false)
    .action(
      async (o: {
        user?: string;
        customer?: string;
        amount?: string;
        currency?: string;
        order?: string;
        file?: string;
        policy?: string;
        json: boolean;
      }) => {
        const c = await ctx.config();
        const path = storePath(c);
        if (o.file && (o.customer || o.amount))
          throw new Error('give --file or one order (--customer …), not both');
        const orders = o.file
          ? await readOrdersCsv(o.file)
          : [
              parseOrder({
                customer_id: o.customer,
                amount: o.amount,
                currency: o.currency,
                order_id: o.order,
              }),
            ];
        const policy = await loadPolicy(o.policy ?? policyPath(path));
        const snapshot: WarehouseSnapshot = await withWarehouseQuery(c, 'arlens credit-check', (query) =>
          loadSnapshot(query, 0),
        );
        const store = openOpsStore(path);
        try {
          const actor = actorFor(store, o.user);
          const started = performance.now();
          const decisions = o.file
            ? checkOrders(store, actor, policy, snapshot, orders)
            : [checkOrder(store, actor, policy, snapshot, orders[0]!, { source: 'cli' })];
          const seconds = (performance.now() - started) / 1000;
          for (const d of decisions) console.log(o.json ? JSON.stringify(decisionJson(d)) : line(d));
          if (o.file && !o.json) {
            const count = (x: string) => decisions.filter((d) => d.outcome === x).length;
            console.error(
              `${decisions.length} orders in ${seconds.toFixed(2)} s: ${count('approve')} approve, ` +
                `${count('hold')} hold, ${count('escalate')} escalate`,
            );
          }
        } catch (e) {
          if (e instanceof CreditError) throw new Error(e.message, { cause: e });
          throw e;
        } finally {
          store.close();
        }
      },
    );

  program
    .command('credit-limits')
    .description('Print the credit limits for the ERP to load: ARLens’s canonical CSV or SAP’s layout.')
    .option('--layout <layout>', `one of ${LIMIT_LAYOUTS.join(', ')}`, 'canonical')
    .action(async (o: { layout: string }) => {
      if (!(LIMIT_LAYOUTS as readonly string[]).includes(o.layout)) {
        throw new Error(`--layout is one of ${LIMIT_LAYOUTS.join(', ')}`);
      }
      const c = await ctx.config();
      const snapshot = await withWarehouseQuery(c, 'arlens credit-limits', (query) => loadSnapshot(query, 0));
      const store = openOpsStore(storePath(c));
      try {
        process.stdout.write(limitsCsv(limitExportRows(store, snapshot), o.layout as LimitLayout));
      } finally {
        store.close();
      }
    });
}
