/**
 * Issuing: the seasonal issue days, the customer of each invoice (by volume, among those active that
 * day), its product line and amount, its sales order and shipment batch, and the open sales orders at
 * the as-of date. Amounts are integer minor units in the customer's currency.
 */
import { civilFromDays, isWeekend, lastOfMonth } from '../../core/calendar.ts';
import type { SeededRandom } from '../../core/random.ts';
import type { Customer, Invoice, SalesOrderStatus } from './model.ts';
import { docId, money, type CsvSink } from './sink.ts';
import { LINES, PRODUCT_LINES, SEGMENT_SIZE, type LineInfo } from './world.ts';

/**
 * Issue days: stratified draws from the seasonal day weights, so invoice i of n falls in the i-th
 * n-tile of the weight and the days come out in date order.
 */
export class IssueDays {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  private ptr = 0;

  constructor(
    private readonly start: number,
    private readonly span: number,
    private readonly invoices: number,
  ) {
    this.cumulative = new Float64Array(span);
    let acc = 0;
    for (let k = 0; k < span; k++) {
      acc += dayWeight(start + k, start);
      this.cumulative[k] = acc;
    }
    this.total = this.cumulative[span - 1] as number;
  }

  /** The issue day of invoice i (call with i = 0, 1, 2, …). */
  next(rng: SeededRandom, i: number): number {
    const u = ((i + rng.next()) / this.invoices) * this.total;
    while (this.ptr < this.span - 1 && (this.cumulative[this.ptr] as number) <= u) this.ptr++;
    return this.start + this.ptr;
  }
}

/**
 * Quarter-end months ~35% heavier with a push in their last days, August and late December light,
 * the first days of January and weekends nearly empty, ~12% growth a year.
 */
function dayWeight(day: number, start: number): number {
  const [, m, d] = civilFromDays(day);
  let x = 1;
  if (m === 3 || m === 6 || m === 9 || m === 12) {
    x = 1.35;
    const monthEnd = lastOfMonth(day);
    if (monthEnd - day < 4) x *= 1.8;
  }
  if (m === 8) x *= 0.65;
  if (m === 12 && d >= 20) x = 0.35;
  if (m === 1 && d <= 2) x = 0.2;
  if (isWeekend(day)) x *= 0.06;
  return x * (1 + (0.12 * (day - start)) / 365);
}

/** Writes invoices and open sales orders; sales order numbers run on from one to the other. */
export class Invoicing {
  private readonly cumulative: Float64Array;
  private readonly volume: number;
  private salesOrders = 2_000_000;
  private shipments = 0;

  constructor(
    private readonly customers: readonly Customer[],
    private readonly sink: CsvSink<'invoices'>,
    private readonly date: (day: number) => string,
    /** Invoices issued after this day count toward a customer's last year. */
    private readonly lastYear: number,
  ) {
    this.cumulative = new Float64Array(customers.length);
    let acc = 0;
    customers.forEach((c, i) => {
      acc += c.volume;
      this.cumulative[i] = acc;
    });
    this.volume = this.cumulative[this.cumulative.length - 1] as number;
  }

  /** Issue and write invoice i, dated `issue`. */
  issue(rng: SeededRandom, i: number, issue: number): Invoice {
    const c = this.chooseCustomer(rng, issue);
    const line = pickLine(rng, c.lineCum);
    const info = LINES[line] as LineInfo;
    const id = docId('INV-', i + 1, 7);
    const due = issue + c.terms;
    const amount = invoiceAmount(rng, info, c);
    const salesOrder = rng.chance(0.85) ? docId('SO-', ++this.salesOrders, 7) : '';
    let batch = '';
    if (info.shipped) {
      const n = String((++this.shipments % 997) + 1).padStart(3, '0');
      batch = `SHP-${this.date(issue).replaceAll('-', '')}-${n}`;
    }
    this.sink.row({
      invoice_id: id,
      customer_id: c.id,
      issue_date: this.date(issue),
      due_date: this.date(due),
      amount: money(amount),
      currency: c.currency,
      product_line: PRODUCT_LINES[line] as string,
      sales_order_id: salesOrder,
      shipment_batch: batch,
      salesperson: c.salesperson,
    });
    c.open += amount;
    c.billedTotal += amount;
    if (issue > this.lastYear) c.billedLastYear += amount;
    return { id, c, line, info, issue, due, amount };
  }

  /** By volume, among the customers active on `day` (after 30 misses, the next active one). */
  private chooseCustomer(rng: SeededRandom, day: number): Customer {
    const { customers, cumulative } = this;
    for (let tries = 0; tries < 30; tries++) {
      const u = rng.next() * this.volume;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cumulative[mid] as number) > u) hi = mid;
        else lo = mid + 1;
      }
      const c = customers[lo] as Customer;
      if (day >= c.activeFrom && day <= c.activeUntil) return c;
    }
    const from = rng.intBetween(0, customers.length - 1);
    for (let k = 0; k < customers.length; k++) {
      const c = customers[(from + k) % customers.length] as Customer;
      if (day >= c.activeFrom && day <= c.activeUntil) return c;
    }
    return customers[from] as Customer;
  }

  /** Open sales orders of active customers, ordered in the last 60 days before `asOf`. */
  writeOpenOrders(rng: SeededRandom, asOf: number, sink: CsvSink<'sales_orders'>): void {
    for (const c of this.customers) {
      if (c.status !== 'active' || c.activeUntil < asOf || !rng.chance(0.3)) continue;
      const n = rng.weightedNumber({ 1: 60, 2: 30, 3: 10 });
      for (let k = 0; k < n; k++) {
        const line = pickLine(rng, c.lineCum);
        const orderDay = asOf - rng.intBetween(0, 60);
        const full = invoiceAmount(rng, LINES[line] as LineInfo, c);
        const status: SalesOrderStatus = rng.chance(0.7) ? 'open' : 'partially_delivered';
        const openAmount = status === 'open' ? full : roundTo(full * rng.uniform(0.2, 0.8), c);
        sink.row({
          sales_order_id: docId('SO-', ++this.salesOrders, 7),
          customer_id: c.id,
          order_date: this.date(orderDay),
          requested_delivery_date: this.date(orderDay + rng.intBetween(7, 60)),
          open_amount: money(openAmount),
          currency: c.currency,
          product_line: PRODUCT_LINES[line] as string,
          status,
        });
      }
    }
  }
}

function pickLine(rng: SeededRandom, lineCum: readonly number[]): number {
  const u = rng.next() * (lineCum[lineCum.length - 1] as number);
  for (let k = 0; k < lineCum.length; k++) if (u < (lineCum[k] as number)) return k;
  return lineCum.length - 1;
}

/** Round cents to the customer currency's smallest unit (whole yen for JPY), at least one unit. */
export function roundTo(cents: number, c: Customer): number {
  const unit = c.currency === 'JPY' ? 100 : 1;
  return Math.max(unit, Math.round(cents / unit) * unit);
}

function invoiceAmount(rng: SeededRandom, info: LineInfo, c: Customer): number {
  const z = Math.max(-2.5, Math.min(2.5, rng.normal())); // heavy tail, but no single invoice dominates
  const usd = info.median * SEGMENT_SIZE[c.segment] * Math.exp(info.sigma * z);
  return roundTo(Math.max(40, usd) * c.perUsd * 100, c);
}
