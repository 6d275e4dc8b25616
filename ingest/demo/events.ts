/**
 * The per-day queue of dated events (payments, memos, write-offs, disputes, collection contacts).
 * An invoice queues what will happen to it; a day is written once no later invoice can add to it, so
 * document numbers run in date order while only recent events are held in memory.
 */
import type { SeededRandom } from '../../core/random.ts';
import type { DemoEvent, PaymentEvent } from './model.ts';
import { bankReference } from './settlement.ts';
import { docId, money, type Sinks } from './sink.ts';

export class EventQueue {
  private readonly days: (DemoEvent[] | undefined)[];
  private flushedThrough: number;
  private readonly numbers = { receipt: 0, memo: 0, writeOff: 0, dispute: 0, activity: 0 };

  /**
   * Events dated in (start, asOf]; `rng` draws what is decided only when a day is written (bank
   * references).
   */
  constructor(
    private readonly start: number,
    private readonly asOf: number,
    private readonly sinks: Sinks,
    private readonly rng: SeededRandom,
    private readonly date: (day: number) => string,
  ) {
    this.days = new Array<DemoEvent[] | undefined>(asOf - start + 2);
    this.flushedThrough = start;
  }

  push(e: DemoEvent): void {
    (this.days[e.day - this.start] ??= []).push(e);
  }

  /** Write every day up to `day` (at most asOf) not yet written. */
  flushThrough(day: number): void {
    const last = Math.min(day, this.asOf);
    for (let d = this.flushedThrough + 1; d <= last; d++) {
      const k = d - this.start;
      const events = this.days[k];
      if (events !== undefined) {
        for (const e of events) this.write(e);
        this.days[k] = undefined;
      }
    }
    if (last > this.flushedThrough) this.flushedThrough = last;
  }

  private write(e: DemoEvent): void {
    const { c } = e;
    const d = this.date(e.day);
    const n = this.numbers;
    switch (e.k) {
      case 0:
        this.writePayment(e, d);
        break;
      case 1:
        this.sinks.credit_memos.row({
          credit_memo_id: docId('CM-', ++n.memo, 7),
          customer_id: c.id,
          invoice_id: e.invoice,
          memo_date: d,
          amount: money(e.amount),
          currency: c.currency,
          reason: e.reason,
        });
        break;
      case 2:
        this.sinks.write_offs.row({
          write_off_id: docId('WO-', ++n.writeOff, 6),
          invoice_id: e.invoice,
          customer_id: c.id,
          write_off_date: d,
          amount: money(e.amount),
          currency: c.currency,
          reason: e.reason,
        });
        break;
      case 3:
        this.sinks.disputes.row({
          dispute_id: docId('DSP-', ++n.dispute, 6),
          invoice_id: e.invoice,
          customer_id: c.id,
          opened_date: d,
          resolved_date: e.resolved > 0 ? this.date(e.resolved) : '',
          disputed_amount: money(e.amount),
          currency: c.currency,
          reason: e.reason,
          status: e.status,
        });
        break;
      case 4: {
        const promised = e.promisedAmount > 0;
        this.sinks.collection_activities.row({
          activity_id: docId('ACT-', ++n.activity, 8),
          customer_id: c.id,
          invoice_id: e.invoice,
          activity_date: d,
          activity_type: e.type,
          owner: c.controller,
          outcome: e.outcome,
          promised_date: e.promised > 0 ? this.date(e.promised) : '',
          promised_amount: promised ? money(e.promisedAmount) : '',
          currency: promised ? c.currency : '',
          note: e.note,
        });
        break;
      }
    }
  }

  /** A receipt and its applications; a payment run's event leaves the customer's open runs. */
  private writePayment(e: PaymentEvent, d: string): void {
    const receipt = docId('RCPT-', ++this.numbers.receipt, 7);
    this.sinks.payments.row({
      receipt_id: receipt,
      customer_id: e.c.id,
      payment_date: d,
      amount: money(e.total),
      currency: e.c.currency,
      method: e.method,
      bank_reference: bankReference(this.rng, e, receipt),
    });
    for (let i = 0; i < e.invoices.length; i++) {
      this.sinks.payment_applications.row({
        receipt_id: receipt,
        invoice_id: e.invoices[i] as string,
        applied_date: d,
        applied_amount: money(e.amounts[i] as number),
      });
    }
    e.c.batch?.delete(e.day);
  }
}
