/**
 * `arlens bank …`: cash application from the server's shell. Import statements (camt.053/054, MT940,
 * CSV through a profile), match them against the open invoices of the published warehouse, list the
 * review queue, decide a line, and publish decided lines into the warehouse (through the ingest of
 * the canonical payments and applications files, then a build). Every change is audited as
 * `cli:<os user>`; the rules are cashapp/'s.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  decideLine,
  getLine,
  importStatement,
  lineCounts,
  listLines,
  markPublished,
  publishable,
  refreshOpenItems,
  runMatching,
  type Decision,
  type LineStatus,
} from '../../cashapp/decisions.store.ts';
import { ledgerSnapshot, writeErpFiles } from '../../cashapp/ledger.ts';
import { DEFAULT_MATCH_CONFIG } from '../../cashapp/match.ts';
import { csvProfile, readStatement } from '../../cashapp/read.ts';
import { fromCents, toCents } from '../../cashapp/statement.ts';
import { openOpsStore } from '../../ops/store.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { withWarehouseQuery } from '../warehouse.ts';
import { cliActor, storePath } from './users.ts';
import { chosenAsOf, LATEST, runBuild } from './build.ts';
import { runIngest } from './ingest.ts';

async function withStore<T>(
  c: Config,
  fn: (store: ReturnType<typeof openOpsStore>) => Promise<T> | T,
): Promise<T> {
  const store = openOpsStore(storePath(c));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

function threshold(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new Error('--auto-threshold must be a number in (0, 1]');
  return n;
}

/** Refresh the open-item snapshot from the published warehouse, then match every new line. */
async function matchNow(c: Config, autoThreshold: number): Promise<void> {
  const snapshot = await withWarehouseQuery(c, 'arlens bank', ledgerSnapshot);
  const items = snapshot.items;
  await withStore(c, (store) => {
    refreshOpenItems(store, items, snapshot.inWarehouse);
    const r = runMatching(store, cliActor(), 'cli', { ...DEFAULT_MATCH_CONFIG, autoThreshold });
    console.log(
      `Matched ${r.matched} line(s) against ${items.length} open invoice(s): ${r.autoApplied} applied automatically ` +
        `(confidence ≥ ${autoThreshold}), ${r.review} waiting for review.`,
    );
  });
}

function parseSplit(text: string): { invoiceId: string; cents: number }[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^=\s]+)\s*=\s*([0-9]+(?:\.[0-9]{1,2})?)\s*$/.exec(part);
    if (!m) throw new Error(`--split: "${part.slice(0, 40)}" is not INVOICE=AMOUNT`);
    return { invoiceId: m[1]!, cents: toCents(m[2]!) };
  });
}

export function registerBank(program: Command, ctx: Context): void {
  const bank = program
    .command('bank')
    .description(
      'Cash application: bank statements in, payments matched to open invoices (docs/cash-application.md).',
    );

  bank
    .command('import <files...>')
    .description(
      'Import bank statements (camt.053, camt.054, MT940 or CSV; detected from the content) and match them.',
    )
    .option(
      '--csv-profile <name-or-file>',
      'CSV layout: arlens, sparkasse-camt, or a JSON/YAML profile file',
      'arlens',
    )
    .option('--no-match', 'import only; match later with arlens bank match')
    .option(
      '--auto-threshold <p>',
      'apply proposals at or above this confidence',
      String(DEFAULT_MATCH_CONFIG.autoThreshold),
    )
    .action(async (files: string[], o: { csvProfile: string; match: boolean; autoThreshold: string }) => {
      const c = await ctx.config();
      const auto = threshold(o.autoThreshold);
      let profile;
      if (/\.(json|ya?ml)$/i.test(o.csvProfile)) {
        profile = csvProfile(undefined, parseYaml(await fs.readFile(resolve(o.csvProfile), 'utf8')));
      } else profile = csvProfile(o.csvProfile);
      await withStore(c, async (store) => {
        for (const f of files) {
          const bytes = await fs.readFile(resolve(f));
          const parsed = readStatement(bytes, { fileName: basename(f), csvProfile: profile });
          const r = importStatement(store, cliActor(), 'cli', { name: basename(f), bytes }, parsed);
          console.log(
            `${basename(f)} (${r.format}): ${r.read} line(s) read, ${r.added} new, ${r.duplicates} already imported, ` +
              `${r.quarantined} quarantined`,
          );
          for (const q of parsed.quarantined.slice(0, 10)) console.log(`  quarantined: ${q.reason}`);
        }
      });
      if (o.match) await matchNow(c, auto);
    });

  bank
    .command('match')
    .description('Match every new line against the open invoices of the published warehouse.')
    .option(
      '--auto-threshold <p>',
      'apply proposals at or above this confidence',
      String(DEFAULT_MATCH_CONFIG.autoThreshold),
    )
    .action(async (o: { autoThreshold: string }) => {
      await matchNow(await ctx.config(), threshold(o.autoThreshold));
    });

  bank
    .command('list')
    .description('List bank lines (default: the review queue) with their best proposal.')
    .addOption(
      new Option('--status <status>', 'which lines')
        .choices(['new', 'review', 'applied', 'unapplied', 'rejected', 'outgoing'])
        .default('review'),
    )
    .option('--json', 'as JSON')
    .action(async (o: { status: LineStatus; json?: boolean }) => {
      await withStore(await ctx.config(), (store) => {
        const lines = listLines(store, { status: o.status });
        if (o.json) {
          console.log(JSON.stringify(lines, null, 2));
          return;
        }
        const counts = lineCounts(store);
        console.log(
          Object.entries(counts)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        );
        for (const l of lines) {
          const top = l.proposals[0];
          console.log(
            `#${l.id} v${l.version} ${l.bookingDate} ${fromCents(l.amountCents)} ${l.currency} ${l.counterpartyName || '(no name)'} ` +
              `"${l.remittance}"` +
              (top
                ? `\n    best: ${top.customerId} ${top.rule} ${top.confidence} → ${top.applications.map((a) => `${a.invoiceId}=${fromCents(a.cents)}`).join(', ') || 'unapplied'}\n    ${top.reasons.join('; ')}`
                : '\n    no proposal') +
              (l.applications.length
                ? `\n    applied: ${l.applications.map((a) => `${a.invoiceId}=${fromCents(a.cents)}`).join(', ')}`
                : ''),
          );
        }
      });
    });

  bank
    .command('decide <line>')
    .description(
      'Decide a line in the review queue: accept a proposal, split, leave unapplied on a customer, or reject.',
    )
    .requiredOption('--version <n>', 'the line version you looked at (arlens bank list shows it)')
    .option('--accept <n>', 'accept proposal n (0 = the best)')
    .option('--split <list>', 'INVOICE=AMOUNT,... (amounts in the invoice currency) with --customer')
    .option('--unapplied', 'put the cash on --customer as unapplied')
    .option('--customer <id>', 'the customer for --split or --unapplied')
    .option('--reject <reason>', 'not a customer payment (refund, transfer, loan, ...)')
    .action(
      async (
        lineText: string,
        o: {
          version: string;
          accept?: string;
          split?: string;
          unapplied?: boolean;
          customer?: string;
          reject?: string;
        },
      ) => {
        const chosen = [
          o.accept !== undefined,
          o.split !== undefined,
          o.unapplied === true,
          o.reject !== undefined,
        ].filter(Boolean).length;
        if (chosen !== 1) throw new Error('Choose exactly one of --accept, --split, --unapplied, --reject.');
        let decision: Decision;
        if (o.accept !== undefined) decision = { kind: 'accept', proposal: Number(o.accept) };
        else if (o.reject !== undefined) decision = { kind: 'reject', reason: o.reject };
        else {
          if (!o.customer) throw new Error('--split and --unapplied need --customer.');
          decision =
            o.split !== undefined
              ? { kind: 'split', customerId: o.customer, applications: parseSplit(o.split) }
              : { kind: 'unapplied', customerId: o.customer };
        }
        await withStore(await ctx.config(), (store) => {
          const l = decideLine(store, cliActor(), 'cli', Number(lineText), Number(o.version), decision);
          console.log(
            `Line #${l.id} is now ${l.status}${l.customerId ? ` (customer ${l.customerId})` : ''}.`,
          );
        });
      },
    );

  bank
    .command('show <line>')
    .description('One line with its proposals and decision, as JSON.')
    .action(async (lineText: string) => {
      await withStore(await ctx.config(), (store) => {
        const l = getLine(store, Number(lineText));
        if (!l) throw new Error(`No bank line ${lineText}.`);
        console.log(JSON.stringify(l, null, 2));
      });
    });

  bank
    .command('publish')
    .description(
      'Load decided lines into the warehouse as payments and applications (the ingest of the canonical files, then a ' +
        'build), and keep the files for the ERP (--out).',
    )
    .option(
      '--out <dir>',
      'also keep the ERP import files (payments_bank.csv, payment_applications_bank.csv) here',
    )
    .option('--no-build', 'ingest only; build later')
    .action(async (o: { out?: string; build: boolean }) => {
      const c = await ctx.config();
      const rows = await withStore(c, (store) => publishable(store));
      if (rows.lineIds.length === 0) {
        console.log('Nothing to publish: no decided line is waiting.');
        return;
      }
      const dir = o.out ? resolve(o.out) : await fs.mkdtemp(join(tmpdir(), 'arlens-bank-'));
      try {
        const files = await writeErpFiles(dir, rows);
        const report = await runIngest(
          c,
          files.map((path) => ({ path, profile: 'canonical' })),
          true,
        );
        const quarantined = report.loads.reduce((a, l) => a + l.rowsQuarantined, 0);
        if (quarantined > 0) {
          throw new Error(
            `${quarantined} row(s) were quarantined by the ingest (see arlens status --quarantine); the lines stay unpublished.`,
          );
        }
        if (o.build) await runBuild(c, { asOf: chosenAsOf(c, undefined, LATEST) });
        await withStore(c, (store) => markPublished(store, cliActor(), rows.lineIds, report.runId));
        console.log(
          `Published ${rows.payments.length} payment(s) and ${rows.applications.length} application(s).`,
        );
        if (o.build) {
          const snapshot = await withWarehouseQuery(c, 'arlens bank', ledgerSnapshot);
          await withStore(c, (store) => refreshOpenItems(store, snapshot.items, snapshot.inWarehouse));
        }
      } finally {
        if (!o.out) await fs.rm(dir, { recursive: true, force: true });
      }
    });
}
