/**
 * The demo's model: customers as the generator sees them, the invoices it issues, and the dated
 * events that follow them (payments, memos, write-offs, disputes, collection contacts), which wait in
 * a per-day queue until their day is written. Types only.
 */
import type {
  ACTIVITY_OUTCOMES,
  ACTIVITY_TYPES,
  CUSTOMER_STATUSES,
  DISPUTE_STATUSES,
  PAYMENT_METHODS,
  SALES_ORDER_STATUSES,
} from '../contract.ts';
import type { SeededRandom } from '../../core/random.ts';
import type { LineInfo, Region, Segment } from './world.ts';

export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];
export type ActivityType = (typeof ACTIVITY_TYPES)[number];
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];
export type SalesOrderStatus = (typeof SALES_ORDER_STATUSES)[number];

export type Profile = 'early' | 'normal' | 'late' | 'chronic';

export interface Customer {
  readonly idx: number;
  readonly id: string;
  name: string;
  readonly region: Region;
  readonly country: string;
  readonly currency: string;
  /** Local currency units per USD. */
  readonly perUsd: number;
  segment: Segment;
  readonly industry: string;
  readonly salesperson: string;
  readonly controller: string;
  readonly terms: number;
  status: CustomerStatus;
  profile: Profile;
  baseLateness: number;
  latenessSd: number;
  /** Cumulative product-line weights. */
  lineCum: number[];
  primaryLine: number;
  volume: number;
  activeFrom: number;
  activeUntil: number;
  cohort: boolean;
  distressDay: number;
  /** Share of invoices never paid (chronic non-payers). */
  nonPayRate: number;
  readonly directDebit: boolean;
  readonly method: PaymentMethod;
  /** 0 = pays invoice by invoice, 1..5 = weekly payment run on that weekday, 7 = month-end run. */
  readonly paymentRun: number;
  readonly reminders: boolean;
  hostile: boolean;
  /** Open AR at asOf, cents. */
  open: number;
  billedLastYear: number;
  billedTotal: number;
  /** Payment runs not yet written, by day: another invoice paid in the same run joins its event. */
  batch: Map<number, PaymentEvent> | undefined;
}

export interface PaymentEvent {
  readonly k: 0;
  readonly c: Customer;
  readonly day: number;
  readonly method: PaymentMethod;
  readonly invoices: string[];
  readonly amounts: number[];
  total: number;
}
export interface MemoEvent {
  readonly k: 1;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly amount: number;
  readonly reason: string;
}
export interface WriteOffEvent {
  readonly k: 2;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly amount: number;
  readonly reason: string;
}
export interface DisputeEvent {
  readonly k: 3;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly resolved: number;
  readonly amount: number;
  readonly reason: string;
  readonly status: DisputeStatus;
}
export interface ActivityEvent {
  readonly k: 4;
  readonly c: Customer;
  readonly day: number;
  readonly invoice: string;
  readonly type: ActivityType;
  readonly outcome: ActivityOutcome;
  readonly promised: number;
  readonly promisedAmount: number;
  readonly note: string;
}
export type DemoEvent = PaymentEvent | MemoEvent | WriteOffEvent | DisputeEvent | ActivityEvent;

/** One invoice as issued. */
export interface Invoice {
  readonly id: string;
  readonly c: Customer;
  /** Index into PRODUCT_LINES and LINES. */
  readonly line: number;
  readonly info: LineInfo;
  readonly issue: number;
  readonly due: number;
  /** Cents. */
  readonly amount: number;
}

/** Counts for the story told in the summary. */
export interface Tally {
  cohortWriteOffs: number;
  otherWriteOffs: number;
  partialPayments: number;
  mergedPayments: number;
}

/** What the steps of the invoice loop share: its random stream, the as-of date and the event queue. */
export interface Run {
  readonly rng: SeededRandom;
  readonly asOf: number;
  /** Queue a dated event (its day ≤ asOf). */
  readonly push: (e: DemoEvent) => void;
  readonly tally: Tally;
}

/** How an invoice ends: what the dunning of it needs to know. */
export interface Settlement {
  /** Final payment day; Infinity when never paid. */
  payDay: number;
  /** Write-off day; Infinity when not written off. */
  woDay: number;
  /** Credit memo (cents) and its day, 0 when none. */
  memo: number;
  memoDay: number;
  /** Partial payment (cents) and its day; the day may be set with no partial payment. */
  partial: number;
  partialDay: number;
  /** Amount less the memo, cents. */
  payable: number;
  /** Day a dispute was opened, 0 when none. */
  disputeOpened: number;
}
