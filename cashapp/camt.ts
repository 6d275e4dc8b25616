/**
 * ISO 20022 camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification), any
 * version from .001.02 on, read with fast-xml-parser (maintained, no native code, no entity
 * expansion here) rather than the little-used camt packages of the registry. The structure checked
 * is the standard's: Document / BkToCstmrStmt / Stmt (or BkToCstmrDbtCdtNtfctn / Ntfctn) / Ntry, an
 * entry's Amt with its Ccy, CdtDbtInd, BookgDt, ValDt; each TxDtls of a batch entry becomes a line
 * of its own. Debtor names are read from both layouts (RltdPties/Dbtr/Nm up to .001.07 and
 * Dbtr/Pty/Nm from .001.08). An entry that breaks the structure is quarantined with the reason;
 * a file that is not camt at all is an error. Pure.
 */
import { XMLParser } from 'fast-xml-parser';
import {
  checkCurrency,
  checkDate,
  cleanText,
  normaliseIban,
  StatementError,
  toCents,
  type ParsedStatement,
  type QuarantinedLine,
  type StatementLine,
} from './statement.ts';

type Node = Record<string, unknown>;

const ARRAYS = new Set(['Stmt', 'Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'Rcrd', 'Bal']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

const NAMESPACE = /^urn:iso:std:iso:20022:tech:xsd:camt\.05([34])\.001\.(\d{2})$/;

function obj(v: unknown): Node | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
}

function at(v: unknown, ...path: string[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[p];
  }
  return cur;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = obj(v);
  if (o && typeof o['#text'] === 'string') return o['#text'];
  return '';
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** An amount element `<Amt Ccy="EUR">12.50</Amt>`. */
function amount(v: unknown): { cents: number; currency: string } | null {
  const o = obj(v);
  if (!o) return null;
  return { cents: toCents(text(o)), currency: checkCurrency(String(o['@Ccy'] ?? '')) };
}

function date(v: unknown): string {
  const d = text(at(v, 'Dt')) || text(at(v, 'DtTm'));
  return checkDate(d);
}

function accountId(acct: unknown): string {
  return normaliseIban(text(at(acct, 'Id', 'IBAN')) || text(at(acct, 'Id', 'Othr', 'Id')));
}

function partyName(parties: unknown, role: 'Dbtr' | 'Cdtr'): string {
  return (
    text(at(parties, role, 'Nm')) ||
    text(at(parties, role, 'Pty', 'Nm')) ||
    text(at(parties, 'Ultmt' + role, 'Nm')) ||
    text(at(parties, 'Ultmt' + role, 'Pty', 'Nm'))
  );
}

function remittance(tx: unknown): string {
  const rmt = at(tx, 'RmtInf');
  const parts = list(at(rmt, 'Ustrd')).map(text);
  for (const s of list(at(rmt, 'Strd'))) {
    const ref = text(at(s, 'CdtrRefInf', 'Ref'));
    if (ref) parts.push(ref);
    for (const d of list(at(s, 'RfrdDocInf'))) {
      const nb = text(at(d, 'Nb'));
      if (nb) parts.push(nb);
    }
  }
  const addtl = text(at(tx, 'AddtlTxInf'));
  if (addtl) parts.push(addtl);
  return cleanText(parts.filter(Boolean).join(' '));
}

function charges(node: unknown): number | null {
  const c = at(node, 'Chrgs');
  if (c === undefined) return null;
  const total = amount(at(c, 'TtlChrgsAndTaxAmt'));
  if (total) return total.cents;
  let sum = 0;
  let seen = false;
  for (const r of list(at(c, 'Rcrd'))) {
    const a = amount(at(r, 'Amt'));
    if (a) {
      sum += a.cents;
      seen = true;
    }
  }
  const direct = amount(at(c, 'Amt'));
  if (direct) return direct.cents;
  return seen ? sum : null;
}

/** Parse camt.053 or camt.054 XML text. */
export function parseCamt(xml: string): ParsedStatement {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw new StatementError('camt: a document type declaration is not allowed in a bank statement');
  }
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (e) {
    throw new StatementError(`camt: not well-formed XML (${(e as Error).message.split('\n')[0]})`);
  }
  // The prefix-free tree drops xmlns: read the root's namespace from the text.
  const declared =
    /<(?:[\w.-]+:)?Document\b[^>]*?\sxmlns(?::[\w.-]+)?\s*=\s*["']([^"']*)["']/.exec(xml)?.[1] ?? '';
  const ns = NAMESPACE.exec(declared);
  if (!ns) {
    throw new StatementError(
      `camt: the namespace ${JSON.stringify(declared.slice(0, 80))} is not camt.053 or camt.054`,
    );
  }
  const root = obj(doc['Document']);
  if (!root) throw new StatementError('camt: no <Document> root element');
  const kind = ns[1] === '3' ? 'camt.053' : 'camt.054';
  const body = kind === 'camt.053' ? obj(root['BkToCstmrStmt']) : obj(root['BkToCstmrDbtCdtNtfctn']);
  if (!body) throw new StatementError(`${kind}: the message body is missing`);
  const msgId = text(at(body, 'GrpHdr', 'MsgId'));
  if (!msgId) throw new StatementError(`${kind}: GrpHdr/MsgId is missing`);
  const reports = list(kind === 'camt.053' ? body['Stmt'] : body['Ntfctn']);
  if (reports.length === 0)
    throw new StatementError(`${kind}: no ${kind === 'camt.053' ? 'Stmt' : 'Ntfctn'}`);

  const lines: StatementLine[] = [];
  const quarantined: QuarantinedLine[] = [];
  let position = 0;
  let firstAccount = '';
  const ids: string[] = [];
  for (const report of reports) {
    const account = accountId(at(report, 'Acct'));
    const reportId = text(at(report, 'Id'));
    if (!account) throw new StatementError(`${kind}: statement ${reportId || '?'} has no Acct/Id`);
    firstAccount ||= account;
    ids.push(reportId || msgId);
    for (const entry of list(at(report, 'Ntry'))) {
      const details = list(at(entry, 'NtryDtls')).flatMap((d) => list(at(d, 'TxDtls')));
      const txs = details.length === 0 ? [undefined] : details;
      for (const tx of txs) {
        position++;
        try {
          const line = readEntry(entry, tx, txs.length > 1, account);
          if (line) lines.push({ ...line, position });
        } catch (e) {
          quarantined.push({
            position,
            reason: `${kind} entry ${position}: ${(e as Error).message}`,
            raw: JSON.stringify(tx ?? entry).slice(0, 300),
          });
        }
      }
    }
  }
  return {
    format: kind,
    statementId: `${msgId}/${ids.join('+')}`,
    account: firstAccount,
    lines,
    quarantined,
  };
}

function readEntry(
  entry: unknown,
  tx: unknown,
  batch: boolean,
  account: string,
): Omit<StatementLine, 'position'> | null {
  const status = text(at(entry, 'Sts')) || text(at(entry, 'Sts', 'Cd'));
  if (status && status !== 'BOOK') return null; // pending or information-only entries are not cash
  const entryAmt = amount(at(entry, 'Amt'));
  if (!entryAmt) throw new StatementError('Amt with Ccy is missing');
  const cdt = text(at(entry, 'CdtDbtInd'));
  if (cdt !== 'CRDT' && cdt !== 'DBIT') throw new StatementError('CdtDbtInd must be CRDT or DBIT');
  const txAmt = batch ? (amount(at(tx, 'Amt')) ?? amount(at(tx, 'AmtDtls', 'TxAmt', 'Amt'))) : entryAmt;
  if (!txAmt) throw new StatementError('a batch transaction has no amount');
  const sign = (text(at(tx, 'CdtDbtInd')) || cdt) === 'DBIT' ? -1 : 1;
  const instructed = amount(at(tx, 'AmtDtls', 'InstdAmt', 'Amt'));
  const parties = at(tx, 'RltdPties');
  const incoming = sign > 0;
  const name = partyName(parties, incoming ? 'Dbtr' : 'Cdtr');
  const iban = accountId(at(parties, incoming ? 'DbtrAcct' : 'CdtrAcct'));
  return {
    account,
    bookingDate: date(at(entry, 'BookgDt')),
    valueDate: at(entry, 'ValDt') === undefined ? date(at(entry, 'BookgDt')) : date(at(entry, 'ValDt')),
    amountCents: sign * Math.abs(txAmt.cents),
    currency: txAmt.currency,
    instructedCents: instructed && instructed.currency !== txAmt.currency ? Math.abs(instructed.cents) : null,
    instructedCurrency: instructed && instructed.currency !== txAmt.currency ? instructed.currency : null,
    chargesCents: charges(tx) ?? (batch ? null : charges(entry)),
    counterpartyName: cleanText(name, 140),
    counterpartyIban: iban,
    remittance: remittance(tx),
    endToEndId: cleanText(text(at(tx, 'Refs', 'EndToEndId')), 35).replace(/^NOTPROVIDED$/, ''),
    bankReference: cleanText(
      text(at(tx, 'Refs', 'AcctSvcrRef')) || (batch ? '' : text(at(entry, 'AcctSvcrRef'))),
      70,
    ),
  };
}
