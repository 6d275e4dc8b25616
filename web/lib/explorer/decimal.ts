/**
 * Exact sums of decimal strings ('1234.50' + '0.25' = '1234.75'), for money totals that must equal
 * what the warehouse adds: no binary floating point. Pure.
 */
import { numberText } from '../../../core/number-text.ts';

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/** The exact sum of `values` (nulls skipped), with as many decimals as the longest; null when none. */
export function sumDecimals(values: readonly (string | number | null)[]): string | null {
  const parsed: { units: bigint; scale: number }[] = [];
  for (const v of values) {
    if (v === null) continue;
    const s = typeof v === 'number' ? numberText(v) : v.trim();
    const m = DECIMAL.exec(s);
    if (!m) throw new Error(`not a decimal: ${s}`);
    const fraction = m[3] ?? '';
    const units = BigInt(`${m[2]}${fraction}`);
    parsed.push({ units: m[1] ? -units : units, scale: fraction.length });
  }
  if (parsed.length === 0) return null;
  const scale = Math.max(...parsed.map((p) => p.scale));
  let total = 0n;
  for (const p of parsed) total += p.units * 10n ** BigInt(scale - p.scale);
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}
