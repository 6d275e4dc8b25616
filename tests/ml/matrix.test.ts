/**
 * `arlens train --matrix`: the candidate family on a plain feature table (CSV or Parquet), split by
 * time or at random by id, with the inputs sorted out and the result saved.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerMlCommands } from '../../cli/commands/ml.ts';
import type { Config } from '../../cli/config.ts';
import { DEFAULT_CONFIG } from '../../ml/config.ts';
import { assignSplit, classifyColumns, trainOnMatrix, type MatrixMetadata } from '../../ml/matrix.server.ts';
import { SeededRandom } from '../../core/random.ts';
import { withInstance } from '../../warehouse/duckdb.ts';
import { tempDir } from '../helpers.ts';

let root: string;
let csv: string;

/** 1,000 clients × 6 months; the label depends on pay_status and utilisation (and a little on the plan). */
function table(): string {
  const rng = new SeededRandom(5);
  const lines = ['client,month,opened,limit_bal,pay_status,utilisation,plan,note,defaulted'];
  for (let c = 0; c < 1000; c++) {
    const plan = ['basic', 'gold', 'platinum'][rng.int(3)] as string;
    for (let m = 1; m <= 6; m++) {
      const pay = rng.int(5) - 1;
      const util = rng.next();
      const z = -2.5 + 0.9 * pay + 2 * util * util + (plan === 'basic' ? 0.4 : 0);
      const y = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      const limit = Math.round(1000 + rng.next() * 50000);
      lines.push(
        `${c},2025-0${m}-28,2020-01-01,${limit},${pay},${util.toFixed(4)},${plan},note ${c}-${m},${y}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const quick = {
  ...DEFAULT_CONFIG,
  networkSeeds: 1,
  search: { l2: [], hidden: [], learningRate: [] },
  maxEpochs: 20,
};

beforeAll(async () => {
  root = await tempDir('arlens-ml-matrix-');
  csv = join(root, 'credit.csv');
  await fs.writeFile(csv, table());
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the feature table', () => {
  it('takes numeric and boolean columns, text with at most 50 values one-hot, and names what it leaves out', () => {
    const c = classifyColumns(
      [
        { name: 'id', type: 'BIGINT', distinct: 0 },
        { name: 'month', type: 'DATE', distinct: 0 },
        { name: 'y', type: 'BIGINT', distinct: 0 },
        { name: 'amount', type: 'DECIMAL(18,2)', distinct: 0 },
        { name: 'rate', type: 'DOUBLE', distinct: 0 },
        { name: 'vip', type: 'BOOLEAN', distinct: 0 },
        { name: 'plan', type: 'VARCHAR', distinct: 3 },
        { name: 'note', type: 'VARCHAR', distinct: 2400 },
        { name: 'opened', type: 'DATE', distinct: 0 },
      ],
      { label: 'y', id: 'id', time: 'month' },
    );
    expect(c).toEqual({
      numeric: ['amount', 'rate', 'vip'],
      categorical: ['plan'],
      skipped: [
        { column: 'note', why: 'text with 2400 values (more than 50)' },
        { column: 'opened', why: 'type DATE' },
      ],
    });
  });

  it('splits by time at whole time values (latest test), or at random with each id in one split', () => {
    const times = [
      '2025-01',
      '2025-01',
      '2025-02',
      '2025-02',
      '2025-03',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-05',
      '2025-05',
    ];
    const byTime = assignSplit(10, { times, clusters: times.map((_, i) => String(i)), seed: 1 });
    expect([...byTime]).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 2, 2]);
    const clusters = Array.from({ length: 3000 }, (_, i) => `c${i % 500}`);
    const random = assignSplit(3000, { clusters, seed: 7 });
    expect([...assignSplit(3000, { clusters, seed: 7 })]).toEqual([...random]);
    const splitOf = new Map<string, number>();
    clusters.forEach((c, i) => {
      expect(splitOf.get(c) ?? random[i]).toBe(random[i]);
      splitOf.set(c, random[i] as number);
    });
    const share = (s: number) => [...splitOf.values()].filter((v) => v === s).length / 500;
    expect(share(0)).toBeGreaterThan(0.5);
    expect(share(1)).toBeGreaterThan(0.12);
    expect(share(2)).toBeGreaterThan(0.12);
  });
});

describe('arlens train --matrix', () => {
  it('trains, evaluates and saves the candidates on a CSV, split by time, and says which serves', async () => {
    const program = new Command().exitOverride();
    registerMlCommands(program, async () => ({ warehouse: join(root, 'unused') }) as Config);
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    const modelDir = join(root, 'csv-model');
    try {
      await program.parseAsync([
        'node',
        'arlens',
        'train',
        '--matrix',
        csv,
        '--label',
        'defaulted',
        '--id',
        'client',
        '--time',
        'month',
        '--model-dir',
        modelDir,
      ]);
    } finally {
      console.log = log;
    }
    const output = lines.join('\n');
    // 20 % of 6,000 rows would cut inside May: whole months go to the later split.
    expect(output).toMatch(/Split by month: train 3000 rows .*, validation 1000 rows .*, test 2000 rows/);
    expect(output).toMatch(/rule_pay_status\s+0\.\d{4}\s+\(reference\)/);
    expect(output).toMatch(/SERVES/);
    expect(output).toMatch(/Logistic regression: L2 [\d.e-]+, \d+ Newton steps, .* \(converged\)/);
    const [version] = await fs.readdir(modelDir);
    const m = JSON.parse(
      await fs.readFile(join(modelDir, version as string, 'metadata.json'), 'utf8'),
    ) as MatrixMetadata;
    expect(m).toMatchObject({
      format: 'arlens-matrix-model/1',
      source: { file: 'credit.csv', label: 'defaulted', id: 'client', time: 'month' },
      split: { by: 'time', test: { from: '2025-05-28', to: '2025-06-28' } },
    });
    expect(m.features.numeric).toEqual(['limit_bal', 'pay_status', 'utilisation']);
    expect(m.features.categorical).toEqual(['plan']);
    expect(m.features.skipped.map((s) => s.column)).toEqual(['opened', 'note']);
    expect(m.features.columns).toContain('plan=basic');
    expect(output).toContain(`Serving ${m.selection.served} (model ${m.version})`);
    // The data has signal beyond the rule's column: a model beats it beyond noise.
    expect(m.selection.served).not.toBe('rule_pay_status');
    expect(m.candidates[m.selection.served]?.vsRule?.validation.low).toBeGreaterThan(0);
  }, 180_000);

  it('reads Parquet too; splits at random by id without --time; refuses a label that is not 0/1', async () => {
    const parquet = join(root, 'credit.parquet');
    await withInstance(':memory:', {}, async (conn) => {
      await conn.run(
        `COPY (SELECT * FROM read_csv($1)) TO '${parquet.replaceAll("'", "''")}' (FORMAT parquet)`,
        [csv],
      );
    });
    const r = await trainOnMatrix({
      file: parquet,
      label: 'defaulted',
      id: 'client',
      modelDir: join(root, 'parquet-model'),
      config: quick,
    });
    expect(r.metadata.split.by).toBe('random');
    expect(r.metadata.split.train.rows + r.metadata.split.validation.rows + r.metadata.split.test.rows).toBe(
      6000,
    );
    expect(r.metadata.split.train.rows % 6).toBe(0);
    const bad = join(root, 'bad.csv');
    await fs.writeFile(bad, 'a,b\n1,0\n2,yes\n');
    await expect(trainOnMatrix({ file: bad, label: 'b', config: quick })).rejects.toThrow(
      /The label column b must hold 0\/1 or true\/false; row 2 has "yes"/,
    );
    await expect(trainOnMatrix({ file: bad, label: 'nope', config: quick })).rejects.toThrow(
      /--label nope: no such column in bad.csv \(it has a, b\)/,
    );
  }, 180_000);
});
