/**
 * `arlens dunning …`: dunning runs from the server's shell — propose (and approve) a run for a date,
 * approve one proposed on the Collections page, send or retry letters, list them, write a letter's
 * PDF, import customer contacts, edit letter templates, print a statement of account. The shell acts
 * as the installation's operator (`cli:<os user>` in the audit log).
 */
import { promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { CollectionsError, systemWho, type Who } from '../../collections/access.ts';
import { letterPdf, listLetters, runDetail } from '../../collections/dunning.store.ts';
import { readAsOfDate, readCustomer, readOpenItems } from '../../collections/ledger.ts';
import { writeEvidencePack } from '../../collections/evidence.ts';
import { renderLetter } from '../../collections/letter.pdf.ts';
import { sendQueued, type SmtpConfig } from '../../collections/mail.ts';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../../collections/policy.ts';
import { approveAndSend, proposeRun } from '../../collections/service.ts';
import { allTemplates, LETTER_TEMPLATES, setTemplate } from '../../collections/templates.ts';
import { setContact } from '../../collections/worklist.store.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import type { Query } from '../../warehouse/convert.ts';
import { smtpConfig, type Config } from '../config.ts';
import type { Context } from '../context.ts';
import { withWarehouseQuery } from '../warehouse.ts';
import { storePath } from './users.ts';

function cliWho(): Who {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No user name on this system (some containers).
  }
  return systemWho({ id: null, name: `cli:${name}`, address: 'cli' });
}

async function withBoth<T>(
  ctx: Context,
  fn: (store: OpsStore, query: Query, c: Config) => Promise<T>,
): Promise<T> {
  const c = await ctx.config();
  return withWarehouseQuery(c, 'arlens dunning', async (query) => {
    const store = openOpsStore(storePath(c));
    try {
      return await fn(store, query, c);
    } finally {
      store.close();
    }
  });
}

/** The operational store of the config, opened for `fn` and closed after (also `arlens alerts`). */
export async function withStore<T>(
  ctx: Context,
  fn: (store: OpsStore, c: Config) => Promise<T> | T,
): Promise<T> {
  const c = await ctx.config();
  const store = openOpsStore(storePath(c));
  try {
    return await fn(store, c);
  } finally {
    store.close();
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const positiveInt = (v: string) => {
  if (!/^\d{1,9}$/.test(v)) throw new CollectionsError(`"${v.slice(0, 20)}" is not a run or letter number.`);
  return Number(v);
};

function printApproval(r: Awaited<ReturnType<typeof approveAndSend>>, smtp: SmtpConfig | null): void {
  console.log(
    `Run ${r.run.id} approved: ${r.letters.length} letter(s) written, ${r.alreadySent} already sent earlier (not again), ` +
      `${r.tasks} task(s), ${r.rendered} PDF(s) rendered.`,
  );
  if (r.mail)
    console.log(`Mail: ${r.mail.sent} sent, ${r.mail.failed} failed (retried by arlens dunning send).`);
  else if (!smtp) console.log('No SMTP server configured (collections.smtp): email letters stay queued.');
}

export function registerDunning(program: Command, ctx: Context): void {
  const dunning = program
    .command('dunning')
    .description(
      'Dunning runs: propose, approve and send reminders; letters, contacts, templates, statements.',
    );

  dunning
    .command('run')
    .description(
      'Propose a dunning run for --date (customers, items, level, why); --approve approves and sends it.',
    )
    .requiredOption('--date <YYYY-MM-DD>', 'the run date (on or after the warehouse as-of date)')
    .option('--approve', 'approve at once and send (the shell is the operator: no second pair of eyes)')
    .option('--json', 'the proposal as JSON')
    .action(async (o: { date: string; approve?: boolean; json?: boolean }) => {
      if (!DATE.test(o.date))
        throw new CollectionsError(`--date must be YYYY-MM-DD, not "${o.date.slice(0, 20)}".`);
      await withBoth(ctx, async (store, query, c) => {
        const policy = loadPolicy(c.collections.policy ?? DEFAULT_POLICY_FILE);
        const who = cliWho();
        const { run, proposal, promises, warnings } = await proposeRun(store, who, query, policy, o.date);
        for (const w of warnings) console.error(`Warning: ${w}`);
        if (o.json) console.log(JSON.stringify({ run, proposal }, null, 2));
        else {
          console.log(
            `Dunning run ${run.id} for ${run.runDate} (open items as of ${run.asOfDate}): ${proposal.customers.length} customer(s) proposed.`,
          );
          if (promises.kept + promises.broken > 0)
            console.log(
              `Promises due: ${promises.kept} kept, ${promises.broken} broken (follow-up tasks raised).`,
            );
          for (const cu of proposal.customers) {
            console.log(
              `  L${cu.level}  ${cu.customerId.padEnd(12)} ${cu.customerName.slice(0, 30).padEnd(30)} ${cu.currencyCode} ${cu.netAmount.padStart(14)}  ${cu.items.filter((i) => i.level > 0).length} item(s)`,
            );
          }
          const reasons = new Map<string, number>();
          for (const s of proposal.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
          if (reasons.size > 0)
            console.log(`Left out: ${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}.`);
        }
        if (o.approve) {
          const smtp = smtpConfig(c);
          printApproval(
            await approveAndSend(store, who, policy, { runId: run.id }, c.collections.company, smtp),
            smtp,
          );
        } else if (!o.json)
          console.log(`Approve it on the Collections page, or: arlens dunning approve ${run.id}`);
      });
    });

  dunning
    .command('approve <run>')
    .description('Approve a proposed run: write its letters, tasks and key-focus flags, render and send.')
    .action(async (id: string) => {
      await withStore(ctx, async (store, c) => {
        const policy = loadPolicy(c.collections.policy ?? DEFAULT_POLICY_FILE);
        const smtp = smtpConfig(c);
        printApproval(
          await approveAndSend(
            store,
            cliWho(),
            policy,
            { runId: positiveInt(id) },
            c.collections.company,
            smtp,
          ),
          smtp,
        );
      });
    });

  dunning
    .command('show <run>')
    .description('A run: its items by customer and level, what was left out and why.')
    .action(async (id: string) => {
      await withStore(ctx, (store) => {
        const d = runDetail(store, cliWho(), positiveInt(id));
        console.log(JSON.stringify(d, null, 2));
      });
    });

  dunning
    .command('send')
    .description('Send queued letters and retry failed ones whose pause is over.')
    .action(async () => {
      await withStore(ctx, async (store, c) => {
        const smtp = smtpConfig(c);
        if (!smtp)
          throw new CollectionsError(
            'No SMTP server configured: set collections.smtp in arlens.config.yaml.',
          );
        const r = await sendQueued(store, cliWho(), smtp);
        console.log(`${r.sent} sent, ${r.failed} failed.`);
        if (r.failed > 0) process.exitCode = 2;
      });
    });

  dunning
    .command('letters')
    .description('The letters written: customer, level, channel, recipient, status, attempts, last error.')
    .option('--run <n>', 'of one run', positiveInt)
    .addOption(
      new Option('--status <status>').choices(['queued', 'sending', 'sent', 'failed', 'to_print', 'printed']),
    )
    .option('--json', 'as JSON')
    .action(async (o: { run?: number; status?: 'queued'; json?: boolean }) => {
      await withStore(ctx, (store) => {
        const letters = listLetters(store, cliWho(), {
          ...(o.run ? { runId: o.run } : {}),
          ...(o.status ? { status: o.status } : {}),
        });
        if (o.json) console.log(JSON.stringify(letters, null, 2));
        else
          for (const l of letters)
            console.log(
              `${String(l.id).padStart(6)}  run ${l.runId}  ${l.customerId.padEnd(12)} L${l.level} ${l.channel.padEnd(6)} ${l.language} ${l.currencyCode} ${l.totalAmount.padStart(14)}  ${l.status}${l.attempts > 1 ? ` (${l.attempts} attempts)` : ''}${l.lastError ? `  ${l.lastError}` : ''}`,
            );
      });
    });

  dunning
    .command('pdf <letter>')
    .description("Write a letter's PDF to a file.")
    .requiredOption('--out <file>', 'where')
    .action(async (id: string, o: { out: string }) => {
      await withStore(ctx, async (store) => {
        const { pdf } = letterPdf(store, cliWho(), positiveInt(id));
        await fs.writeFile(o.out, pdf);
        console.log(`Wrote ${o.out} (${pdf.length} bytes).`);
      });
    });

  dunning
    .command('contacts <csv>')
    .description(
      'Import customer contacts: a CSV with customer_id,email[,language] (en or ja), header first.',
    )
    .action(async (file: string) => {
      const text = await fs.readFile(file, 'utf8');
      await withBoth(ctx, async (store, query) => {
        const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
        const header = lines
          .shift()
          ?.split(',')
          .map((h) => h.trim().toLowerCase());
        if (!header || header[0] !== 'customer_id' || header[1] !== 'email') {
          throw new CollectionsError(`${file}: the first line must be customer_id,email[,language].`);
        }
        let n = 0;
        const problems: string[] = [];
        for (const [i, line] of lines.entries()) {
          const [id = '', email = '', language = ''] = line.split(',').map((v) => v.trim());
          try {
            const customer = await readCustomer(query, id);
            if (!customer) throw new CollectionsError(`no customer ${id.slice(0, 40)} in the warehouse`);
            setContact(store, cliWho(), customer, { email, language });
            n++;
          } catch (e) {
            problems.push(`line ${i + 2}: ${(e as Error).message}`);
          }
        }
        console.log(`${n} contact(s) set.`);
        for (const p of problems.slice(0, 20)) console.error(p);
        if (problems.length > 0) process.exitCode = 2;
      });
    });

  dunning
    .command('template <template>')
    .description(
      `Edit a letter template (${LETTER_TEMPLATES.join(', ')}); placeholders in docs/collections.md.`,
    )
    .addOption(new Option('--language <lang>').choices(['en', 'ja']).makeOptionMandatory())
    .option('--file <file>', 'the new text')
    .option('--reset', 'back to the shipped text')
    .option('--show', 'print the text in force')
    .action(
      async (
        template: string,
        o: { language: 'en' | 'ja'; file?: string; reset?: boolean; show?: boolean },
      ) => {
        await withStore(ctx, async (store) => {
          if (o.show) {
            const all = allTemplates(store) as Record<string, Record<string, string>>;
            if (!all[template]) throw new CollectionsError(`No template ${template.slice(0, 40)}.`);
            console.log(all[template]![o.language]);
            return;
          }
          const body = o.reset ? null : o.file ? await fs.readFile(o.file, 'utf8') : undefined;
          if (body === undefined) throw new CollectionsError('Give --file <file>, --reset or --show.');
          setTemplate(store, cliWho(), { template, language: o.language, body });
          console.log(`Template ${template} (${o.language}) ${body === null ? 'reset' : 'saved'}.`);
        });
      },
    );

  dunning
    .command('evidence <customer>')
    .description(
      'The evidence pack for a legal hand-over: open invoices, letters (PDF), history, audit entries (CSV) and evidence.pdf.',
    )
    .requiredOption('--out <dir>', 'the folder to write (created)')
    .action(async (customerId: string, o: { out: string }) => {
      await withBoth(ctx, async (store, query) => {
        const customer = await readCustomer(query, customerId);
        if (!customer)
          throw new CollectionsError(`No customer ${customerId.slice(0, 40)} in the warehouse.`, 404);
        const items = await readOpenItems(query, customer.creditController);
        const r = await writeEvidencePack(store, cliWho(), customer, items, o.out);
        console.log(`Wrote ${r.files.length} file(s) and MANIFEST.txt to ${r.dir}.`);
      });
    });

  dunning
    .command('statement <customer>')
    .description('A statement of account (open items, ageing, unapplied credits) as PDF.')
    .requiredOption('--out <file>', 'where')
    .addOption(new Option('--language <lang>').choices(['en', 'ja']))
    .action(async (customerId: string, o: { out: string; language?: 'en' | 'ja' }) => {
      await withBoth(ctx, async (store, query, c) => {
        const customer = await readCustomer(query, customerId);
        if (!customer)
          throw new CollectionsError(`No customer ${customerId.slice(0, 40)} in the warehouse.`, 404);
        const items = (await readOpenItems(query)).filter((i) => i.customerId === customer.customerId);
        const date = await readAsOfDate(query);
        const language = o.language ?? (items[0]?.countryCode === 'JP' ? 'ja' : 'en');
        const currency = customer.currencyCode ?? items[0]?.currencyCode ?? 'USD';
        const pdf = await renderLetter({
          kind: 'statement',
          template: 'statement',
          language,
          company: c.collections.company,
          customerId: customer.customerId,
          customerName: customer.customerName,
          date,
          level: 0,
          currencyCode: currency,
          lines: items.filter((i) => i.currencyCode === currency),
          feeAmount: '0.00',
          interestAmount: '0.00',
          templates: allTemplates(store).statement,
        });
        await fs.writeFile(o.out, pdf);
        console.log(`Wrote ${o.out} (${pdf.length} bytes, ${language}).`);
      });
    });
}
