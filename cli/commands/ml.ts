/**
 * `arlens train` and `arlens score`: the default-risk model (docs/ml.md). TF.js and the training code load only
 * when one of these commands runs: other commands (and their --help) never start the wasm backend.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_CONFIG, type RiskConfig } from '../../ml/config.ts';
import { bandTable, calibrationText, candidateTable, evaluationTable } from '../../ml/report.ts';
import type { EvaluationReport } from '../../ml/train.server.ts';
import type { BackendChoice } from '../../ml/tf.ts';
import { type Config } from '../config.ts';
import { jobEngine } from '../engine.ts';

const int = (v: string) => {
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n) || String(n) !== v.trim()) throw new Error(`expected a whole number, got ${v}`);
  return n;
};

const modelDirOption = () =>
  new Option('--model-dir <dir>', 'model artefacts folder (default: <warehouse>/ml)').argParser((v) =>
    resolve(v),
  );
const backendOption = () =>
  new Option('--backend <name>', 'TensorFlow.js backend (auto: tfjs-node if installed, else wasm)')
    .choices(['auto', 'wasm', 'cpu'])
    .default('auto');

/** The candidates table of a warehouse training. */
function candidateRows(e: EvaluationReport): string {
  return candidateTable(
    Object.entries(e.candidates).map(([name, c]) => ({
      name,
      validation: e.validation[name] as NonNullable<(typeof e.validation)[string]>,
      test: e.test[name] as NonNullable<(typeof e.test)[string]>,
      vsRule: c.vsRule,
      calibration: c.calibration,
      publishable: e.selection.publishable.includes(name),
      served: name === e.served,
    })),
  );
}

async function trainMatrix(o: {
  matrix?: string;
  label?: string;
  id?: string;
  time?: string;
  modelDir?: string;
  backend: BackendChoice;
  seed?: number;
}): Promise<void> {
  if (o.matrix === undefined || o.label === undefined) throw new Error('--matrix and --label go together');
  const { trainOnMatrix } = await import('../../ml/matrix.server.ts');
  const r = await trainOnMatrix({
    file: o.matrix,
    label: o.label,
    ...(o.id !== undefined ? { id: o.id } : {}),
    ...(o.time !== undefined ? { time: o.time } : {}),
    ...(o.modelDir !== undefined ? { modelDir: o.modelDir } : {}),
    config: { ...DEFAULT_CONFIG, ...(o.seed !== undefined ? { seed: o.seed } : {}) },
    backend: o.backend,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const m = r.metadata;
  const s = m.split;
  const part = (name: string, p: typeof s.train) =>
    `${name} ${p.rows} rows (${p.positives} positive${p.from !== null ? `, ${p.from} .. ${p.to}` : ''})`;
  console.log(
    `\nSplit ${s.by === 'time' ? `by ${m.source.time ?? 'time'}` : 'at random by ' + (m.source.id ?? 'row')}: ` +
      `${part('train', s.train)}, ${part('validation', s.validation)}, ${part('test', s.test)}.\n`,
  );
  console.log(
    candidateTable(
      r.candidates.map((c) => ({
        name: c.name,
        validation: c.validation,
        test: c.test,
        vsRule: c.vsRule,
        calibration: c.calibrationChoice.method,
        publishable: m.selection.publishable.includes(c.name),
        served: c.name === m.selection.served,
      })),
    ),
  );
  console.log(`\nTest rows:\n${evaluationTable(r.test)}`);
  const logistic = r.candidates.find((c) => c.kind === 'logistic');
  if (logistic) {
    console.log(
      `\nLogistic regression: L2 ${String(logistic.details['l2'])}, ${String(logistic.details['iterations'])} Newton steps, ` +
        `largest gradient component ${Number(logistic.details['gradientNorm']).toExponential(1)} ` +
        `(${logistic.details['converged'] === true ? 'converged' : 'NOT converged'}).`,
    );
  }
  console.log(`\nArtefacts and the full report: ${r.dir}`);
  console.log(`Serving ${m.selection.served} (model ${r.version}): ${m.reason}.`);
}

export function registerMlCommands(program: Command, config: () => Promise<Config>): void {
  program
    .command('train')
    .description(
      'Train the default-risk candidates on the marts (monthly snapshots, time-based split): the max-days-past-due ' +
        'rule, a logistic regression fitted to convergence and a network tuned on the validation period; serve ' +
        'the best that beats the rule beyond noise on validation (the simpler one on a tie, the rule when none ' +
        'does), evaluate all on the latest snapshots, and score every customer. Writes artefacts, ' +
        'ml.model_evaluations and ml.customer_risk_scores. With --matrix, the same on any feature table.',
    )
    .addOption(modelDirOption())
    .addOption(backendOption())
    .option('--seed <n>', `random seed (default ${DEFAULT_CONFIG.seed})`, int)
    .option(
      '--horizon <days>',
      `days after a snapshot in which a default counts (default ${DEFAULT_CONFIG.horizonDays})`,
      int,
    )
    .option(
      '--test-months <n>',
      `latest labelled monthly snapshots held out for test (default ${DEFAULT_CONFIG.testMonths})`,
      int,
    )
    .option(
      '--gap-months <n>',
      "snapshots left out between validation and test: a number, or 'purge' (default: exactly those whose " +
        'label window reaches past the first test snapshot)',
      (v: string) => (v === 'purge' ? 'purge' : int(v)),
    )
    .option(
      '--matrix <file>',
      'train on a feature table instead of the warehouse (.csv or .parquet; one row per observation); see docs/ml.md',
    )
    .option('--label <column>', 'with --matrix: the 0/1 outcome column')
    .option('--id <column>', 'with --matrix: an entity id (its rows stay in one split and resample together)')
    .option('--time <column>', 'with --matrix: split by this column (latest rows test) instead of at random')
    .action(
      async (o: {
        modelDir?: string;
        backend: BackendChoice;
        seed?: number;
        horizon?: number;
        testMonths?: number;
        gapMonths?: number | 'purge';
        matrix?: string;
        label?: string;
        id?: string;
        time?: string;
      }) => {
        if (o.matrix !== undefined || o.label !== undefined) {
          await trainMatrix(o);
          return;
        }
        if (o.id !== undefined || o.time !== undefined) throw new Error('--id and --time go with --matrix');
        const c = await config();
        const settings: RiskConfig = {
          ...DEFAULT_CONFIG,
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.horizon !== undefined ? { horizonDays: o.horizon } : {}),
          ...(o.testMonths !== undefined ? { testMonths: o.testMonths } : {}),
          ...(o.gapMonths !== undefined ? { gapMonths: o.gapMonths } : {}),
        };
        const { defaultModelDir, trainRiskModel } = await import('../../ml/risk.server.ts');
        const report = await trainRiskModel({
          warehouseDir: c.warehouse,
          engine: jobEngine(c),
          modelDir: o.modelDir ?? defaultModelDir(c.warehouse),
          config: settings,
          backend: o.backend,
          log: (m) => process.stderr.write(`${m}\n`),
        });
        const e = report.evaluation;
        const p = e.periods;
        console.log(
          `\nTrained on ${p.train.from} .. ${p.train.to}, chosen on validation ${p.validation.from} .. ${p.validation.to} ` +
            `(${p.validation.positives} defaults), tested on ${p.test.from} .. ${p.test.to} (${p.test.positives} defaults). ` +
            `Label: ${e.label}.\n`,
        );
        console.log(candidateRows(e));
        console.log(`\nTest period:\n${evaluationTable(e.test)}`);
        const served = e.test[e.served];
        if (served)
          console.log(`\nCalibration of ${e.served} on the test period:\n${calibrationText(served)}`);
        if (report.scores) console.log(`\n${bandTable(report.scores.bands)}`);
        console.log(`\nArtefacts and the full report: ${report.dir}`);
        console.log(
          `Serving ${e.served} (model ${report.version}): ${report.reason}.` +
            (report.scores
              ? ` Scored ${report.scores.customers} customers as of ${report.scores.asOfDate}.`
              : ''),
        );
      },
    );

  program
    .command('score')
    .description(
      "Score every customer with the published risk model at the warehouse's as-of date: probability of " +
        'default, risk band, expected loss and top contributing features, into ml.customer_risk_scores.',
    )
    .addOption(modelDirOption())
    .addOption(backendOption())
    .option('--version <version>', 'score with this model version instead of the published one')
    .action(async (o: { modelDir?: string; backend: BackendChoice; version?: string }) => {
      const c = await config();
      const { defaultModelDir, scoreRiskModel } = await import('../../ml/risk.server.ts');
      const summary = await scoreRiskModel({
        warehouseDir: c.warehouse,
        engine: jobEngine(c),
        modelDir: o.modelDir ?? defaultModelDir(c.warehouse),
        backend: o.backend,
        ...(o.version !== undefined ? { version: o.version } : {}),
      });
      console.log(bandTable(summary.bands));
      console.log(
        `\nScored ${summary.customers} customers as of ${summary.asOfDate} with model ${summary.modelVersion} ` +
          `(${summary.inDefault} already in default) in ${summary.seconds.toFixed(1)} s.`,
      );
    });
}
