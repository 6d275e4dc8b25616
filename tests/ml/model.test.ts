/**
 * The risk model end to end on the default demo data (seed 42, 20,000 invoices, as of 2026-10-31):
 * `arlens train` trains and evaluates the candidate family, the network beats the days-past-due rule
 * on the test period, the publication rule chooses the serving candidate as documented and
 * `arlens train` says which and why, artefacts and warehouse tables are complete, scoring writes one
 * row per customer, and ensureRiskScores trains, reuses and rescores as documented.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMlCommands } from '../../cli/commands/ml.ts';
import type { Config } from '../../cli/config.ts';
import { build } from '../../models/runner/index.ts';
import {
  disposeModel,
  FeatureMismatchError,
  loadModel,
  publishedVersion,
  publishModel,
  readMetadata,
  type ModelMetadata,
} from '../../ml/artefacts.server.ts';
import { DEFAULT_CONFIG, IN_DEFAULT_BAND } from '../../ml/config.ts';
import { NUMERIC_FEATURES } from '../../ml/features.ts';
import { buildNetwork, serializeNetwork } from '../../ml/network.ts';
import { writeVersion } from '../../ml/artefacts.server.ts';
import { addDays } from '../../core/calendar.ts';
import { ensureRiskScores, scoreRiskModel } from '../../ml/risk.server.ts';
import { LOGISTIC_NAME, MODEL_NAME, RULE_NAME, type EvaluationReport } from '../../ml/train.server.ts';
import { published, ROOT, tempDir } from '../helpers.ts';
import { demoWarehouse } from './helpers.ts';

let root: string;
let wh: string;
let modelDir: string;
let version: string;
let metadata: ModelMetadata;
let report: EvaluationReport;
let trainOutput: string;
let trainOutcome: unknown;

const cli = (warehouse: string) => {
  const program = new Command().exitOverride();
  const config = async () => ({ warehouse }) as Config;
  registerMlCommands(program, config);
  return program;
};

/** Run the CLI in-process; returns what it printed and 'ok' or the error it failed with. */
async function runCli(warehouse: string, args: string[]): Promise<{ output: string; outcome: unknown }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    const outcome = await cli(warehouse)
      .parseAsync(['node', 'arlens', ...args])
      .then(
        () => 'ok',
        (e: unknown) => e,
      );
    return { output: lines.join('\n'), outcome };
  } finally {
    console.log = log;
  }
}

beforeAll(async () => {
  root = await tempDir('arlens-ml-model-');
  ({ warehouse: wh } = await demoWarehouse(root, { seed: 42, invoices: 20_000, asOf: '2026-10-31' }));
  modelDir = join(root, 'models');
  ({ output: trainOutput, outcome: trainOutcome } = await runCli(wh, ['train', '--model-dir', modelDir]));
  const dirs = (await fs.readdir(modelDir)).filter((d) => d.startsWith('pd-'));
  expect(dirs).toHaveLength(1);
  version = dirs[0] as string;
  metadata = (await readMetadata(modelDir, version)) as ModelMetadata;
  report = JSON.parse(
    await fs.readFile(join(modelDir, version, 'evaluation.json'), 'utf8'),
  ) as EvaluationReport;
}, 180_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const auc = (name: string) => report.test[name]?.rocAuc ?? Number.NaN;

describe('training and evaluation on the demo data', () => {
  it('the models rank the test period better than the days-past-due rule, with the intervals reported', () => {
    // 35 defaults from about 15 customers: the network is ahead by about 0.04, the logistic regression
    // by less; neither interval is far from zero on data this small (docs/ml.md).
    expect(auc(MODEL_NAME)).toBeGreaterThan(auc(RULE_NAME) + 0.02);
    expect(auc(LOGISTIC_NAME)).toBeGreaterThan(auc(RULE_NAME));
    for (const name of [MODEL_NAME, LOGISTIC_NAME]) {
      const c = report.comparisons[name];
      expect(c?.difference).toBeCloseTo(auc(name) - auc(RULE_NAME), 12);
      expect(c?.low).toBeLessThanOrEqual(c?.difference ?? Number.NaN);
      expect(c?.high).toBeGreaterThanOrEqual(c?.difference ?? Number.NaN);
    }
    // Everything is measured on the later snapshots, with defaults in every split.
    expect(metadata.split.train.to < metadata.split.validation.from).toBe(true);
    expect(metadata.split.validation.to < metadata.split.test.from).toBe(true);
    expect(metadata.split.test.to).toBe('2026-04-30');
    // Purged: no training or validation label window reaches past the first test snapshot.
    expect(
      addDays(metadata.split.validation.to, metadata.config.horizonDays) <= metadata.split.test.from,
    ).toBe(true);
    expect(metadata.split.gap.length).toBeGreaterThan(0);
    expect(report.test[MODEL_NAME]).toMatchObject({
      rows: metadata.split.test.rows,
      positives: metadata.split.test.positives,
    });
    expect(metadata.split.test.positives).toBeGreaterThanOrEqual(20);
  });

  it('serves the candidate the publication rule picks on validation, and arlens train says which and why', async () => {
    expect(trainOutcome).toBe('ok');
    expect(metadata.status).toBe('published');
    expect(await publishedVersion(modelDir)).toBe(version);
    const { selection } = metadata;
    expect(selection.served).toBe(metadata.served.name);
    const lows = Object.fromEntries(
      Object.entries(metadata.candidates).map(([name, c]) => [name, c.vsRule?.validation.low ?? null]),
    );
    // A model serves only with its validation interval against the rule above zero; the rule only when
    // no model has one.
    if (selection.reason === 'too_few_defaults') {
      expect(selection.served).toBe(RULE_NAME);
      expect(selection.evidence.defaultingCustomers).toBeLessThan(selection.evidence.needed);
    } else if (selection.reason === 'no_model_beats_rule') {
      expect(selection.served).toBe(RULE_NAME);
      expect(Object.values(lows).every((l) => l === null || l <= 0)).toBe(true);
    } else {
      expect(lows[selection.served]).toBeGreaterThan(0);
    }
    if (selection.reason === 'simpler_within_noise')
      expect(selection.bestVsServed?.low).toBeLessThanOrEqual(0);
    expect(trainOutput).toMatch(new RegExp(`${selection.served}\\s+0\\.\\d{4}.*SERVES`));
    expect(trainOutput).toMatch(
      /logistic_regression\s+0\.\d{4}\s+[+−]0\.\d{4} \([+−]0\.\d{4} \.\. [+−]0\.\d{4}\)/,
    );
    expect(trainOutput).toContain(`Serving ${selection.served} (model ${version})`);
    expect(trainOutput).toMatch(/Scored 800 customers as of 2026-10-31/);
    expect(trainOutput).not.toMatch(/arlens (train|score)/);
    // The logistic regression is a converged fit, not a few epochs.
    expect(report.baselines.logistic.converged).toBe(true);
    expect(report.baselines.logistic.gradientNorm).toBeLessThan(1e-6);
    // The network search ran on validation and the chosen setting was averaged over seeds.
    expect(report.search.length).toBeGreaterThan(3);
    expect(metadata.candidates[MODEL_NAME]?.details['seeds']).toEqual([42, 43, 44]);
  });

  it('writes versioned artefacts: the served model, features in order, preprocessing, window, seed, backend', async () => {
    const files = (await fs.readdir(join(modelDir, version))).sort();
    const network = metadata.served.kind === 'network';
    expect(files).toEqual(
      network ? ['evaluation.json', 'members', 'metadata.json'] : ['evaluation.json', 'metadata.json'],
    );
    expect(metadata.served.members).toHaveLength(network ? 3 : 0);
    expect(metadata.served.logistic !== null).toBe(metadata.served.kind === 'logistic');
    expect(metadata.served.rule !== null).toBe(metadata.served.kind === 'rule');
    // Calibrated on the most recent labelled months (the test period).
    expect(metadata.served.calibratedOn).toEqual(metadata.split.test);
    expect(['platt', 'isotonic']).toContain(metadata.served.calibration.method);
    const loaded = await loadModel(modelDir, version);
    expect(loaded.scoring.kind).toBe(metadata.served.kind);
    disposeModel(loaded);
    expect(metadata).toMatchObject({
      format: 'arlens-risk-model/3',
      version,
      seed: DEFAULT_CONFIG.seed,
      backend: 'wasm',
      data: { asOfDate: '2026-10-31', firstInvoiceDate: '2023-11-01' },
      config: { horizonDays: 180, defaultDaysPastDue: 90 },
    });
    expect(metadata.features.columns.slice(0, NUMERIC_FEATURES.length)).toEqual(
      NUMERIC_FEATURES.map((f) => f.name),
    );
    expect(metadata.features.columns).toContain('region=LATAM');
    expect(metadata.features.preprocessor.numeric).toHaveLength(NUMERIC_FEATURES.length);
    expect(Object.keys(metadata.candidates)).toEqual([RULE_NAME, LOGISTIC_NAME, MODEL_NAME]);
  });

  it('writes the evaluation to ml.model_evaluations and ml.model_calibration', async () => {
    const rows = await published(
      wh,
      `SELECT model_name, split, metric, value, row_count, positive_count, is_published, is_candidate
       FROM ml.model_evaluations WHERE model_version = $1 ORDER BY ALL`,
      [version],
    );
    expect(rows).toHaveLength(3 * 2 * 10);
    const value = (model: string, split: string, metric: string) =>
      rows.find((r) => r['model_name'] === model && r['split'] === split && r['metric'] === metric)?.[
        'value'
      ];
    expect(value(MODEL_NAME, 'test', 'roc_auc')).toBe(auc(MODEL_NAME));
    expect(value(RULE_NAME, 'test', 'brier')).toBe(report.test[RULE_NAME]?.brier);
    expect(value(LOGISTIC_NAME, 'validation', 'lift_top_decile')).toBe(
      report.validation[LOGISTIC_NAME]?.liftTopDecile,
    );
    expect(new Set(rows.map((r) => r['is_published']))).toEqual(new Set([true]));
    expect(value(LOGISTIC_NAME, 'validation', 'roc_auc_vs_rule_low')).toBe(
      report.validationComparisons[LOGISTIC_NAME]?.low,
    );
    expect(value(RULE_NAME, 'test', 'roc_auc_vs_rule')).toBeNull();
    expect(value(MODEL_NAME, 'test', 'ece')).toBe(report.test[MODEL_NAME]?.ece);
    const served = await published(
      wh,
      `SELECT DISTINCT model_name FROM ml.model_evaluations WHERE model_version = $1 AND is_served`,
      [version],
    );
    expect(served.map((r) => r['model_name'])).toEqual([metadata.served.name]);
    const selection = await published(wh, `SELECT * FROM ml.model_selection WHERE model_version = $1`, [
      version,
    ]);
    expect(selection).toEqual([
      expect.objectContaining({
        served_model: metadata.served.name,
        served_kind: metadata.served.kind,
        reason: metadata.selection.reason,
        calibration_method: metadata.served.calibration.method,
        calibrated_from: metadata.split.test.from,
        calibrated_to: metadata.split.test.to,
      }),
    ]);
    const calibration = await published(
      wh,
      `SELECT model_name, sum(row_count) AS n, sum(positive_count) AS p, count(*) AS bins
       FROM ml.model_calibration WHERE model_version = $1 AND split = 'test' GROUP BY ALL ORDER BY ALL`,
      [version],
    );
    expect(calibration).toHaveLength(3);
    for (const c of calibration) {
      expect(Number(c['n'])).toBe(metadata.split.test.rows);
      expect(Number(c['p'])).toBe(metadata.split.test.positives);
    }
  });

  it('ensureRiskScores does not train or score again for the same data', async () => {
    const again = await ensureRiskScores({ warehouseDir: wh, modelDir });
    expect(again).toMatchObject({
      modelVersion: version,
      servedModel: metadata.served.name,
      trained: false,
      scored: false,
      shortfall: null,
    });
    const status = await published(wh, `SELECT state, model_version, served_model FROM ml.risk_status`);
    expect(status).toEqual([{ state: 'scored', model_version: version, served_model: metadata.served.name }]);
  });

  it('ensureRiskScores trains and scores when there is no model for the data', async () => {
    // A short training (3 epochs, no search, one seed) keeps this fast; the procedure is the same.
    const config = {
      ...DEFAULT_CONFIG,
      maxEpochs: 3,
      patience: 1,
      networkSeeds: 1,
      search: { l2: [], hidden: [], learningRate: [] },
    };
    const dir = join(root, 'quick');
    const logged: string[] = [];
    const result = await ensureRiskScores({
      warehouseDir: wh,
      modelDir: dir,
      config,
      log: (m) => logged.push(m),
    });
    expect(result.trained).toBe(true);
    const [quick] = (await fs.readdir(dir)).filter((d) => d.startsWith('pd-'));
    expect(quick).toBeDefined();
    expect(quick).not.toBe(version);
    const m = (await readMetadata(dir, quick as string)) as ModelMetadata;
    expect(m.config).toEqual(config);
    expect(result).toMatchObject({ scored: true, modelVersion: quick, servedModel: m.served.name });
    expect(logged.join('\n')).toContain(`training the risk model on data as of 2026-10-31`);
    expect(logged.join('\n')).toMatch(/scored 800 customers as of 2026-10-31/);
    // Put the trained version's scores back for the tests after this one.
    await scoreRiskModel({ warehouseDir: wh, modelDir, version });
  });
});

describe('scoring', () => {
  it('writes one row per customer with PD, band, exposure, expected loss and explanations', async () => {
    const summary = await scoreRiskModel({ warehouseDir: wh, modelDir, version });
    expect(summary).toMatchObject({ asOfDate: '2026-10-31', modelVersion: version, customers: 800 });
    const rows = await published(
      wh,
      `SELECT s.*, c.open_ar_rc, CAST(s.exposure_amount * CAST(s.probability_of_default AS DECIMAL(18, 9)) AS DECIMAL(18, 2)) AS el_check
       FROM ml.customer_risk_scores AS s JOIN marts.fct_credit_exposure AS c USING (customer_id)`,
    );
    expect(rows).toHaveLength(800);
    expect(new Set(rows.map((r) => r['customer_id'])).size).toBe(800);
    const bands = new Set([...DEFAULT_CONFIG.bands.map((b) => b.name), IN_DEFAULT_BAND]);
    for (const r of rows) {
      const pd = r['probability_of_default'] as number;
      expect(pd).toBeGreaterThan(0);
      expect(pd).toBeLessThanOrEqual(1);
      expect(bands.has(String(r['risk_band']))).toBe(true);
      expect(r['exposure_amount']).toBe(r['open_ar_rc']);
      expect(r['expected_loss_amount']).toBe(r['el_check']);
      expect(r).toMatchObject({ as_of_date: '2026-10-31', model_version: version });
      const top = JSON.parse(String(r['top_features'])) as { feature: string; contribution: number | null }[];
      if (r['risk_band'] === IN_DEFAULT_BAND) {
        expect(pd).toBe(1);
        expect(top.length).toBeGreaterThan(0);
        expect(top.every((t) => t.contribution === null)).toBe(true);
      } else {
        expect(top.length).toBeGreaterThan(0);
        expect(top.length).toBeLessThanOrEqual(DEFAULT_CONFIG.topFeatures);
        const sizes = top.map((t) => Math.abs(t.contribution ?? 0));
        expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
        expect(pd).toBeLessThan(1);
      }
    }
    const types = await published(
      wh,
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'ml' AND table_name = 'customer_risk_scores' ORDER BY ordinal_position`,
    );
    expect(types.map((t) => `${String(t['column_name'])} ${String(t['data_type'])}`)).toEqual([
      'customer_id VARCHAR',
      'as_of_date DATE',
      'probability_of_default DOUBLE',
      'risk_band VARCHAR',
      'exposure_amount DECIMAL(18,2)',
      'expected_loss_amount DECIMAL(18,2)',
      'model_version VARCHAR',
      'top_features VARCHAR',
      'scored_at TIMESTAMP',
    ]);
  });

  it("finds the demo's story: LATAM customers score riskiest; the Spare Parts defaulters are in default", async () => {
    const byRegion = await published(
      wh,
      `SELECT c.region, avg(s.probability_of_default) AS pd
       FROM ml.customer_risk_scores AS s JOIN marts.dim_customers AS c USING (customer_id)
       WHERE s.risk_band <> $1 GROUP BY ALL ORDER BY pd DESC`,
      [IN_DEFAULT_BAND],
    );
    expect(byRegion[0]?.['region']).toBe('LATAM');
    const sparePartsWrittenOff = await published(
      wh,
      `SELECT DISTINCT s.customer_id, s.risk_band
       FROM marts.fct_invoices AS i JOIN ml.customer_risk_scores AS s USING (customer_id)
       WHERE i.product_line = 'Spare Parts' AND i.is_written_off AND i.region IN ('EMEA', 'LATAM')
         AND i.settled_date >= DATE '2026-05-01'`,
    );
    expect(sparePartsWrittenOff.length).toBeGreaterThan(3);
    expect(sparePartsWrittenOff.every((r) => r['risk_band'] === IN_DEFAULT_BAND)).toBe(true);
  });

  it('ensureRiskScores keeps current scores and rescores after a new build', async () => {
    await publishModel(modelDir, version);
    const current = await ensureRiskScores({ warehouseDir: wh, modelDir });
    expect(current).toMatchObject({ modelVersion: version, trained: false, scored: false });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
    const rescored = await ensureRiskScores({ warehouseDir: wh, modelDir });
    expect(rescored).toMatchObject({ modelVersion: version, trained: false, scored: true });
    const stamps = await published(wh, `SELECT count(DISTINCT scored_at) AS n FROM ml.customer_risk_scores`);
    expect(Number(stamps[0]?.['n'])).toBe(1);
  });

  it('refuses a model trained on other features, naming them and saying to retrain', async () => {
    const other = `${version}-old`;
    await fs.cp(join(modelDir, version), join(modelDir, other), { recursive: true });
    const path = join(modelDir, other, 'metadata.json');
    const m = JSON.parse(await fs.readFile(path, 'utf8')) as ModelMetadata;
    const numeric = [{ name: 'legacy_score', definition: 'gone' }, ...m.features.spec.numeric.slice(1)];
    await fs.writeFile(
      path,
      JSON.stringify({
        ...m,
        version: other,
        features: { ...m.features, spec: { ...m.features.spec, numeric } },
      }),
    );
    const error = await loadModel(modelDir, other).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FeatureMismatchError);
    const message = (error as Error).message;
    expect(message).toContain('legacy_score');
    expect(message).toContain(NUMERIC_FEATURES[0]?.name);
    expect(message).toContain('arlens train');
  });

  it('still loads and scores a format-1 model (one MLP at the top of its folder)', async () => {
    const legacy = `${version}-format1`;
    const network = buildNetwork({
      inputs: metadata.features.columns.length,
      hidden: [4],
      linearSkip: true,
      seed: 1,
    });
    const member = {
      name: 'mlp',
      dir: '',
      hidden: [4],
      seed: 1,
      epochs: 1,
      bestEpoch: 1,
      validationAuc: null,
      trainSeconds: 0,
    };
    const { served: _s, selection: _sel, candidates: _c, ...rest } = metadata;
    await writeVersion(modelDir, legacy, [member], {
      metadata: {
        ...rest,
        format: 'arlens-risk-model/1',
        version: legacy,
        network: { hidden: [4], l2: 0.1, epochs: 1, bestEpoch: 1, trainSeconds: 0, history: [] },
        calibration: { a: 1, b: -2 },
      },
      members: { mlp: await serializeNetwork(network) },
      evaluation: {},
    });
    network.dispose();
    const m = await loadModel(modelDir, legacy);
    expect(m.metadata.served).toMatchObject({
      kind: 'network',
      calibration: { method: 'platt', a: 1, b: -2 },
    });
    expect(m.metadata.served.members.map((x) => [x.name, x.dir])).toEqual([['mlp', '']]);
    disposeModel(m);
    const summary = await scoreRiskModel({ warehouseDir: wh, modelDir, version: legacy });
    expect(summary).toMatchObject({ modelVersion: legacy, customers: 800 });
    // Put the trained version's scores back for the tests after this one.
    await scoreRiskModel({ warehouseDir: wh, modelDir, version });
  });
});

describe('arlens score', () => {
  it('prints the bands, and needs a published model', async () => {
    const { output, outcome } = await runCli(wh, ['score', '--model-dir', modelDir]);
    expect(outcome).toBe('ok');
    expect(output).toMatch(/in default\s+\d+/);
    const empty = await runCli(wh, ['score', '--model-dir', join(root, 'empty')]);
    expect((empty.outcome as Error).message).toMatch(/No published risk model .* arlens train/);
  });
});
