import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTRACT, LOAD_ORDER, contractMarkdown, entitySpec } from './contract.ts';

describe('ERP export contract', () => {
  it('keys are fields, references point at single-key entities loaded earlier', () => {
    for (const [i, name] of LOAD_ORDER.entries()) {
      const e = CONTRACT[name];
      const fields = new Set(e.fields.map((f) => f.name));
      expect(fields.size).toBe(e.fields.length);
      for (const k of e.key) expect(fields.has(k)).toBe(true);
      for (const f of e.fields) {
        if (!f.references) continue;
        const target = CONTRACT[f.references];
        expect(target.key).toHaveLength(1);
        expect(LOAD_ORDER.indexOf(f.references)).toBeLessThan(i);
      }
      for (const r of e.rules) expect(fields.has(r.column)).toBe(true);
    }
  });

  it('covers what an AR team exports', () => {
    expect(CONTRACT.customers.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['credit_limit', 'payment_terms_days', 'credit_controller', 'status']),
    );
    expect(CONTRACT.customers.fields.find((f) => f.name === 'status')?.values).toEqual(
      expect.arrayContaining(['blocked', 'blacklisted']),
    );
    expect(CONTRACT.payment_applications.key).toEqual(['receipt_id', 'invoice_id']);
    expect(CONTRACT.fx_rates.fields.find((f) => f.name === 'rate')?.type).toBe('rate');
    expect(() => entitySpec('orders')).toThrow('Unknown entity "orders"');
  });

  it('docs/contract.md is the generated reference', async () => {
    const doc = await fs.readFile(join(import.meta.dirname, '..', 'docs', 'contract.md'), 'utf8');
    expect(doc).toBe(contractMarkdown());
  });
});
