/**
 * Scoring every customer at the warehouse's as-of date with a loaded model, into
 * ml.customer_risk_scores (on the job's connection; the caller publishes the generation):
 *
 * - customers already in default at the as-of date (an open invoice more than the model's
 *   days-past-due threshold, or a write-off within its cure period) are outside the model's
 *   population: PD = 1, band "in default", and top_features says why;
 * - everyone else gets the serving candidate's calibrated PD (model.ts), a band (config.bands), and
 *   the features that moved their PD most (occlusion, explain.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, toCount } from '../warehouse/convert.ts';
import type { LoadedModel } from './artefacts.server.ts';
import { IN_DEFAULT_BAND, riskBand } from './config.ts';
import { occlusion, topContributions } from './explain.ts';
import { columnGroups, derive, displayValue, transform, type Matrix } from './features.ts';
import { readFeatures, warehouseFacts, type CustomerFeatures } from './features.server.ts';
import { probabilities } from './model.ts';
import { writeScores, writeStatus, type ScoreRow } from './tables.server.ts';

export interface BandSummary {
  readonly band: string;
  readonly customers: number;
  /** DECIMAL text. */
  readonly exposure: string;
  readonly expectedLoss: string;
}

export interface ScoreSummary {
  readonly asOfDate: string;
  readonly modelVersion: string;
  readonly customers: number;
  readonly scoredByModel: number;
  readonly inDefault: number;
  readonly bands: BandSummary[];
  readonly seconds: number;
}

/**
 * The model's calibrated PD for every row of a standardised matrix: the serving candidate's raw
 * score through its calibration. Explanations (occlusion) score through this function too.
 */
export function pdFunction(model: LoadedModel): (x: Matrix) => Float64Array {
  return (x) => probabilities(model.scoring, model.metadata.served.calibration, x);
}

/** Why a customer is in default, in the shape of top_features (contribution null: not from the model). */
function inDefaultReasons(c: CustomerFeatures, model: LoadedModel): string {
  const dpd = model.metadata.config.defaultDaysPastDue;
  const reasons: { feature: string; value: number | string | null; contribution: null }[] = [];
  if (c.maxOpenDaysPastDue !== null && c.maxOpenDaysPastDue > dpd) {
    reasons.push({ feature: 'max_open_days_past_due', value: c.maxOpenDaysPastDue, contribution: null });
  }
  if (c.daysSinceWriteOff !== null) {
    reasons.push({ feature: 'days_since_write_off', value: c.daysSinceWriteOff, contribution: null });
  }
  return JSON.stringify(reasons);
}

/** Compute every customer's score and replace ml.customer_risk_scores on `conn`. */
export async function scoreCustomers(
  conn: DuckDBConnection,
  model: LoadedModel,
  o: { scoredAt?: Date } = {},
): Promise<ScoreSummary> {
  const started = performance.now();
  const meta = model.metadata;
  const facts = await warehouseFacts(conn);
  const customers = await readFeatures(conn, facts.asOfDate, meta.config);
  const modelled = customers.filter((c) => !c.inDefault);
  const derived = modelled.map((c) => derive(c.raw));
  const x = transform(derived, meta.features.preprocessor);
  const pd = pdFunction(model);
  const probabilities = pd(x);
  const groups = columnGroups(meta.features.preprocessor);
  const contributions = occlusion(x, groups, pd);
  const rows: ScoreRow[] = [];
  // A rule scores from one feature: that feature is the driver, whatever its contribution.
  const ruleGroup =
    model.scoring.kind === 'rule' ? (meta.features.columns[model.scoring.column] ?? null) : null;
  modelled.forEach((c, i) => {
    const p = probabilities[i] as number;
    const d = derived[i];
    if (d === undefined) throw new Error('internal: derived features missing');
    const top =
      ruleGroup !== null
        ? [
            {
              feature: ruleGroup,
              value: displayValue(d, ruleGroup),
              contribution:
                Math.round((contributions[i]?.[groups.findIndex((g) => g.name === ruleGroup)] ?? 0) * 1e4) /
                1e4,
            },
          ]
        : topContributions(
            contributions[i] ?? [],
            groups,
            (f) => displayValue(d, f),
            meta.config.topFeatures,
          );
    rows.push({
      customerId: c.customerId,
      probabilityOfDefault: p,
      riskBand: riskBand(meta.config.bands, p),
      topFeatures: JSON.stringify(top),
    });
  });
  for (const c of customers) {
    if (!c.inDefault) continue;
    rows.push({
      customerId: c.customerId,
      probabilityOfDefault: 1,
      riskBand: IN_DEFAULT_BAND,
      topFeatures: inDefaultReasons(c, model),
    });
  }
  const scoredAt = o.scoredAt ?? new Date();
  await writeScores(conn, { asOfDate: facts.asOfDate, modelVersion: meta.version, scoredAt, rows });
  await writeStatus(
    conn,
    { state: 'scored', modelVersion: meta.version, servedModel: meta.served.name },
    scoredAt,
  );
  const bandRows = await queryRows(
    conn,
    `SELECT risk_band, count(*) AS customers, sum(exposure_amount) AS exposure, sum(expected_loss_amount) AS expected_loss
     FROM ml.customer_risk_scores GROUP BY risk_band ORDER BY min(probability_of_default)`,
  );
  return {
    asOfDate: facts.asOfDate,
    modelVersion: meta.version,
    customers: customers.length,
    scoredByModel: modelled.length,
    inDefault: customers.length - modelled.length,
    bands: bandRows.map((r) => ({
      band: String(r['risk_band']),
      customers: toCount(r['customers']),
      exposure: String(r['exposure']),
      expectedLoss: String(r['expected_loss']),
    })),
    seconds: (performance.now() - started) / 1000,
  };
}
