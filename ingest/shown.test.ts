import { describe, expect, it } from 'vitest';
import { codePoints, shownValue } from './shown.ts';

describe('values shown in messages and the quarantine', () => {
  it('whole up to 200 characters, else the first 80 and the length', () => {
    expect(shownValue('x'.repeat(200))).toBe('x'.repeat(200));
    expect(shownValue('x'.repeat(5_242_880))).toBe(`${'x'.repeat(80)}… (5,242,880 characters)`);
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    const emoji = '😀'.repeat(200); // 400 UTF-16 units, 200 characters
    expect(codePoints(emoji)).toBe(200);
    expect(shownValue(emoji)).toBe(emoji);
    expect(shownValue('😀'.repeat(201))).toBe(`${'😀'.repeat(80)}… (201 characters)`);
  });
});
