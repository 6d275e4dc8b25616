/**
 * Measuring the matcher honestly, at invoice level, on statements with known truth
 * (generate.ts): lines are matched in booking order; a proposal at or above the threshold is applied
 * (and what it paid is no longer open); every other line goes to review, where a simulated person
 * decides the truth, and the engine learns from that decision exactly as it does from the review
 * queue (the payer's account and name, the rule's record for the customer). The baseline — an exact
 * reference and the exact open amount, nothing else, as the usual first matching rule — runs on the
 * same lines. Pure.
 */
import {
  baselineMatch,
  consume,
  DEFAULT_MATCH_CONFIG,
  emptyMemory,
  learnDecision,
  learnPayer,
  MatchIndex,
  proposeMatches,
  type CustomerInfo,
  type MatchConfig,
  type OpenItem,
} from './match.ts';
import { lineKey } from './statement.ts';
import type { TruthLine } from './generate.ts';

export interface Evaluation {
  readonly lines: number;
  readonly duplicatesRemoved: number;
  /** (line, invoice) pairs the statements really pay. */
  readonly truthPairs: number;
  readonly autoPairs: number;
  readonly autoCorrectPairs: number;
  readonly autoMatchRate: number;
  readonly autoMatchPrecision: number;
  readonly reviewLines: number;
  readonly reviewShare: number;
  readonly reviewTop1Accuracy: number;
  readonly baselineAutoMatchRate: number;
  readonly baselineAutoMatchPrecision: number;
  /** Auto-match rate over the second half of the lines (after the engine learned from the first). */
  readonly autoMatchRateLaterHalf: number;
  readonly autoMatchPrecisionLaterHalf: number;
  /** Per kind of mess: lines, and the share of their pairs applied automatically and correctly. */
  readonly byKind: Record<string, { lines: number; autoRate: number; wrongAuto: number }>;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x) => b.includes(x));

export function evaluate(
  truth: readonly TruthLine[],
  items: readonly OpenItem[],
  customers: readonly CustomerInfo[],
  cfg: MatchConfig = DEFAULT_MATCH_CONFIG,
): Evaluation {
  // Overlapping statements: a repeated line is dropped by its key, as the import does.
  const seen = new Set<string>();
  const lines = truth.filter((t) => {
    const k = lineKey(t.line);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const index = new MatchIndex(items, customers);
  const base = new MatchIndex(items, customers);
  const memory = emptyMemory();
  let truthPairs = 0;
  let autoPairs = 0;
  let autoCorrect = 0;
  let reviewLines = 0;
  let reviewWithTruth = 0;
  let reviewTop1 = 0;
  let basePairs = 0;
  let baseCorrect = 0;
  const half = Math.floor(lines.length / 2);
  let laterTruth = 0;
  let laterAuto = 0;
  let laterCorrect = 0;
  const byKind: Record<string, { lines: number; pairs: number; correct: number; wrongAuto: number }> = {};
  lines.forEach((t, i) => {
    const want = t.pays.map((p) => p.invoiceId);
    truthPairs += want.length;
    if (i >= half) laterTruth += want.length;
    const k = (byKind[t.kind] ??= { lines: 0, pairs: 0, correct: 0, wrongAuto: 0 });
    k.lines++;
    k.pairs += want.length;

    const b = baselineMatch(t.line, base);
    if (b) {
      consume(base, b);
      basePairs += b.applications.length;
      baseCorrect += b.applications.filter((a) => want.includes(a.invoiceId)).length;
    }
    // The baseline's unmatched lines are settled by a person too (with the truth).
    else
      for (const p of t.pays) base.remaining.set(p.invoiceId, Math.max(0, base.open(p.invoiceId) - p.cents));

    const proposals = proposeMatches(t.line, index, memory, cfg);
    const top = proposals[0];
    if (top && top.confidence >= cfg.autoThreshold) {
      consume(index, top);
      learnPayer(memory, t.line, top.customerId);
      const got = top.applications.map((a) => a.invoiceId);
      const correct = got.filter((x) => want.includes(x)).length;
      autoPairs += got.length;
      autoCorrect += correct;
      k.correct += correct;
      k.wrongAuto += got.length - correct;
      if (i >= half) {
        laterAuto += got.length;
        laterCorrect += correct;
      }
      // What the rule missed or got wrong is put right by a person later; keep the ledger true.
      for (const p of t.pays) {
        const applied = top.applications.find((a) => a.invoiceId === p.invoiceId)?.cents ?? 0;
        if (p.cents > applied)
          index.remaining.set(p.invoiceId, Math.max(0, index.open(p.invoiceId) - (p.cents - applied)));
      }
      return;
    }
    reviewLines++;
    if (want.length > 0) {
      reviewWithTruth++;
      if (
        top &&
        sameSet(
          top.applications.map((a) => a.invoiceId),
          want,
        )
      )
        reviewTop1++;
    }
    // The person decides the truth; the engine learns from it.
    for (const p of t.pays) index.remaining.set(p.invoiceId, Math.max(0, index.open(p.invoiceId) - p.cents));
    if (t.customerId) learnPayer(memory, t.line, t.customerId);
    if (top) {
      const right =
        t.customerId === top.customerId &&
        sameSet(
          top.applications.map((a) => a.invoiceId),
          want,
        );
      learnDecision(memory, top, right);
    }
  });
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    lines: lines.length,
    duplicatesRemoved: truth.length - lines.length,
    truthPairs,
    autoPairs,
    autoCorrectPairs: autoCorrect,
    autoMatchRate: ratio(autoCorrect, truthPairs),
    autoMatchPrecision: ratio(autoCorrect, autoPairs),
    reviewLines,
    reviewShare: ratio(reviewLines, lines.length),
    reviewTop1Accuracy: ratio(reviewTop1, reviewWithTruth),
    baselineAutoMatchRate: ratio(baseCorrect, truthPairs),
    baselineAutoMatchPrecision: ratio(baseCorrect, basePairs),
    autoMatchRateLaterHalf: ratio(laterCorrect, laterTruth),
    autoMatchPrecisionLaterHalf: ratio(laterCorrect, laterAuto),
    byKind: Object.fromEntries(
      Object.entries(byKind).map(([kind, v]) => [
        kind,
        { lines: v.lines, autoRate: ratio(v.correct, v.pairs), wrongAuto: v.wrongAuto },
      ]),
    ),
  };
}
