import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORICAL_FEATURES, NUMERIC_FEATURES } from '../../ml/features.ts';
import { DEFAULT_CONFIG } from '../../ml/config.ts';
import { ROOT } from '../helpers.ts';

describe('docs/ml.md', () => {
  it('defines every feature exactly as the code does', async () => {
    const doc = await fs.readFile(join(ROOT, 'docs', 'ml.md'), 'utf8');
    for (const f of [...NUMERIC_FEATURES, ...CATEGORICAL_FEATURES]) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${f.name}\``));
      expect(row, f.name).toBeDefined();
      expect(row?.split('|')[2]?.trim(), f.name).toBe(f.definition);
    }
  });

  it('states the bands the code uses', async () => {
    const doc = await fs.readFile(join(ROOT, 'docs', 'ml.md'), 'utf8');
    const [low, medium, high, veryHigh] = DEFAULT_CONFIG.bands.map((b) => b.minPd * 100);
    expect(doc).toContain(
      `\`low\` < ${medium} %, \`medium\` ${medium}–${high} %, \`high\` ${high}–${veryHigh} %, \`very high\` ≥ ${veryHigh} %`,
    );
    expect(low).toBe(0);
  });
});
