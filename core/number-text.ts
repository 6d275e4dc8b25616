/**
 * Numbers as plain decimal text: what String() writes, but never in exponent form, so a CSV cell or a
 * decimal string reads back as the same digits everywhere. Pure.
 */

/** A finite number as plain decimal text (1e21 → '1000000000000000000000', 1e-7 → '0.0000001'). */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`Not a finite number: ${n}.`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}
