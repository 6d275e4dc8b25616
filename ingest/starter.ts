/**
 * `arlens profiles new <file>`: a starter profile from one export's header, for the user to finish.
 * It guesses the delimiter and encoding from the bytes, the entity from the file name (or takes it),
 * each contract field's column from the header's names, and the date and number formats from the
 * first rows; whatever it cannot tell is written as a comment saying what to fill in.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { stringify } from 'yaml';
import { CONTRACT, ENTITY_NAMES, type EntityName, type FieldSpec } from './contract.ts';
import { parseProfile, type FormatOptions, type ResolvedFormat } from './profile.ts';
import { detectFormat, prepareSource, ScratchDb, surveyFile } from './read.ts';
import { queryRows } from '../warehouse/convert.ts';

/** Other names ERPs give a contract field (compared without case, spaces or punctuation). */
const SYNONYMS: Partial<Record<string, readonly string[]>> = {
  customer_id: [
    'customer',
    'customerid',
    'customerno',
    'customernumber',
    'account',
    'kunnr',
    'partner',
    'party',
    'debtor',
  ],
  customer_name: ['name', 'name1', 'customername', 'partnername', 'partyname'],
  region: ['territory', 'salesdistrict', 'salesteam'],
  country: ['countrycode', 'country'],
  segment: ['customergroup', 'marketsegment', 'segment'],
  salesperson: ['salesperson', 'salesemployee', 'accountowner'],
  credit_controller: ['accountmanager', 'accountingclerk', 'collector', 'creditcontroller'],
  credit_limit: ['creditlimit'],
  payment_terms_days: [
    'paymentterms',
    'termsofpayment',
    'defaultpaymenttermstemplate',
    'customerpaymentterms',
  ],
  currency: ['currency', 'documentcurrency', 'billingcurrency', 'curr'],
  status: ['status', 'disabled', 'active', 'postingblock'],
  invoice_id: ['invoice', 'invoiceno', 'invoicenumber', 'documentnumber', 'number', 'id', 'belnr'],
  issue_date: ['invoicedate', 'date', 'postingdate', 'documentdate', 'invoicebilldate'],
  due_date: ['duedate', 'netduedate', 'paymentduedate'],
  amount: ['amount', 'grandtotal', 'total', 'invoiceamount', 'amountindoccurr', 'paidamount'],
  receipt_id: [
    'receipt',
    'receiptno',
    'paymentnumber',
    'payment',
    'paymententry',
    'documentnumber',
    'number',
    'id',
  ],
  payment_date: ['paymentdate', 'postingdate', 'date', 'valuedate'],
  method: ['modeofpayment', 'paymentmethod', 'method'],
  bank_reference: ['reference', 'referenceno', 'chequereferenceno', 'bankreference', 'memo'],
  applied_date: ['applieddate', 'clearingdate', 'postingdate', 'date'],
  applied_amount: ['allocated', 'allocatedamount', 'appliedamount', 'amount'],
  credit_memo_id: ['creditmemo', 'creditnote', 'documentnumber', 'number', 'id'],
  memo_date: ['memodate', 'date', 'postingdate', 'documentdate'],
  reason: ['reason', 'text', 'remarks'],
};

/** Words in a file name that say which entity it holds. */
const ENTITY_HINTS: readonly [EntityName, RegExp][] = [
  ['payment_applications', /applic|reference|allocation|clearing/i],
  ['credit_memos', /credit.?(memo|note)|return|refund/i],
  ['write_offs', /write.?off/i],
  ['collection_activities', /activit|dunning/i],
  ['sales_orders', /sales.?order/i],
  ['fx_rates', /fx|exchange/i],
  ['disputes', /dispute/i],
  ['payments', /payment|receipt|cash/i],
  ['invoices', /invoice|billing|move|line.?item|fbl5n/i],
  ['customers', /customer|partner|contact|debtor|kna1|client/i],
];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface Starter {
  readonly entity: EntityName;
  readonly yaml: string;
  /** Required fields no column was found for. */
  readonly unmapped: readonly string[];
}

export function guessEntity(file: string): EntityName | undefined {
  const name = basename(file, extname(file));
  const exact = ENTITY_NAMES.find((e) => norm(name).startsWith(norm(e)));
  if (exact) return exact;
  return ENTITY_HINTS.find(([, re]) => re.test(name))?.[0];
}

function guessDelimiter(firstLine: string): string {
  const counts = [',', ';', '\t', '|'].map((d) => [d, firstLine.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0] && counts[0][1] > 0 ? counts[0][0] : ',';
}

/** A strptime format every sample fits, or undefined. */
export function guessDateFormat(samples: readonly string[]): string | undefined {
  const values = samples.map((s) => s.trim()).filter((s) => s !== '');
  if (values.length === 0) return undefined;
  const all = (re: RegExp) => values.every((v) => re.test(v));
  if (all(/^\d{4}-\d{2}-\d{2}$/)) return '%Y-%m-%d';
  if (all(/^\d{1,2}\.\d{1,2}\.\d{4}$/)) return '%d.%m.%Y';
  if (all(/^\d{4}\/\d{1,2}\/\d{1,2}$/)) return '%Y/%m/%d';
  for (const sep of ['/', '-']) {
    const re = new RegExp(`^(\\d{1,2})${sep}(\\d{1,2})${sep}\\d{4}$`);
    if (!all(re)) continue;
    const firsts = values.map((v) => Number(re.exec(v)?.[1]));
    const seconds = values.map((v) => Number(re.exec(v)?.[2]));
    if (seconds.some((n) => n > 12)) return `%m${sep}%d${sep}%Y`;
    if (firsts.some((n) => n > 12)) return `%d${sep}%m${sep}%Y`;
    return `%d${sep}%m${sep}%Y`;
  }
  return undefined;
}

/** The decimal separator the samples use: ',' for 1.234,56 or 12,5; '.' otherwise. */
export function guessDecimal(samples: readonly string[]): '.' | ',' {
  const values = samples.map((s) => s.trim()).filter((s) => s !== '');
  return values.some((v) => /^[-+(]?[\d.]*\d,\d{1,2}-?\)?$/.test(v)) ? ',' : '.';
}

export async function starterProfile(
  file: string,
  options: { entity?: EntityName; name?: string } = {},
): Promise<Starter> {
  const kind = detectFormat(file);
  const survey = surveyFile(file);
  const encoding: 'utf-8' | 'windows-1252' = (await survey).utf8 ? 'utf-8' : 'windows-1252';
  const format: FormatOptions = { encoding };
  if (kind === 'csv') {
    const head = await fs.readFile(file);
    const text = head.subarray(0, 64 * 1024).toString(encoding === 'utf-8' ? 'utf8' : 'latin1');
    format.delimiter = guessDelimiter(text.split(/\r?\n/)[0] ?? '');
  }
  const entity = options.entity ?? guessEntity(file);
  if (!entity) {
    throw new Error(
      `${basename(file)}: cannot tell from the file name which kind of export this is; name it with --entity ` +
        `(${ENTITY_NAMES.join(', ')}).`,
    );
  }
  const spec = CONTRACT[entity];
  const tmpDir = await fs.mkdtemp(join(tmpdir(), 'arlens-new-'));
  const scratch = new ScratchDb();
  try {
    const resolved: ResolvedFormat = {
      delimiter: format.delimiter ?? ',',
      encoding,
      decimalSeparator: '.',
      thousandsSeparator: ',',
      dateFormats: ['%Y-%m-%d'],
      sheet: undefined,
      skipRows: 0,
      fillDown: [],
    };
    const source = await prepareSource(scratch, file, resolved, tmpDir, survey);
    const columns = [...source.columns];
    const conn = await scratch.conn();
    const sample = await source.read(conn, () =>
      queryRows(conn, `SELECT * FROM ${source.sql} s ORDER BY _row LIMIT 50`, [...source.params]),
    );
    const used = new Set<string>();
    const pick = (f: FieldSpec): string | undefined => {
      const wanted = [f.name, ...(SYNONYMS[f.name] ?? [])].map(norm);
      for (const w of wanted) {
        const hit = columns.find((c) => !used.has(c) && norm(c) === w);
        if (hit) return hit;
      }
      return undefined;
    };
    const mapped: Record<string, string> = {};
    const unmapped: string[] = [];
    for (const f of spec.fields) {
      const hit = pick(f);
      if (hit) {
        mapped[f.name] = hit;
        used.add(hit);
      } else if (f.required) unmapped.push(f.name);
    }
    const values = (type: FieldSpec['type']) =>
      spec.fields
        .filter((f) => f.type === type && mapped[f.name])
        .flatMap((f) => sample.map((r) => String(r[mapped[f.name] ?? ''] ?? '')));
    const dateFormat = guessDateFormat(values('date'));
    if (dateFormat) format.date_format = dateFormat;
    const decimal = guessDecimal(values('money'));
    format.decimal_separator = decimal;
    const slug = basename(file, extname(file))
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40);
    const name = options.name ?? (slug || 'my-erp');
    const profile = {
      name,
      title: `${basename(file)} (starter: check every line)`,
      description: `Written by arlens profiles new from the header of ${basename(file)}; edit it, then run arlens profiles check.`,
      format,
      mappings: [
        {
          entity,
          files: `${basename(file, extname(file)).replace(/[*?]/g, '')}*`,
          columns: mapped,
        },
      ],
    };
    parseProfile(profile, 'the starter profile');
    const todo = unmapped.map((f) => {
      const field = spec.fields.find((x) => x.name === f);
      return `#   ${f}: <column>   (required: ${field?.description ?? ''})`;
    });
    const unused = columns.filter((c) => !used.has(c));
    const lines = [
      `# Starter profile for ${JSON.stringify(basename(file))} (${entity}). ARLens guessed what it could from the header and`,
      '# the first rows: check every line against your export, add `map`s for codes (statuses, payment',
      '# methods), `where` filters and `exclude` rules (drafts, cancellations), then run:',
      '#   arlens profiles check <folder> --profile <this file>      (format: docs/profiles.md)',
      ...(todo.length > 0
        ? ['# No column of the header looked like these required fields; add them under columns:', ...todo]
        : []),
      ...(unused.length > 0
        ? [`# Columns not mapped: ${unused.map((c) => JSON.stringify(c)).join(', ')}`]
        : []),
      stringify(profile, { lineWidth: 100 }).trimEnd(),
      '',
    ];
    return { entity, yaml: lines.join('\n'), unmapped };
  } finally {
    scratch.close();
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
