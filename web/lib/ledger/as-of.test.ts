import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { asOfText } from './as-of.ts';

describe('the as-of date in the header', () => {
  it('says the date in the user’s locale, never shifted by a time zone, and where it came from', () => {
    const asOf = { date: '2026-06-30', source: 'last document date' };
    expect(asOfText(translator('en'), 'en-US', asOf)).toBe('As of Jun 30, 2026 (last document date)');
    expect(asOfText(translator('ja'), 'ja-JP', asOf)).toBe('2026年6月30日 時点（最終伝票日）');
    expect(asOfText(translator('en'), 'en-US', { date: '2026-01-01', source: 'set' })).toBe(
      'As of Jan 1, 2026 (set for this build)',
    );
    expect(asOfText(translator('ja'), 'ja-JP', { date: '2026-12-06', source: 'today (no documents)' })).toBe(
      '2026年12月6日 時点（本日：伝票なし）',
    );
    // A source a later build might write is shown as written.
    expect(asOfText(translator('en'), 'en-US', { date: '2026-06-30', source: 'config' })).toBe(
      'As of Jun 30, 2026 (config)',
    );
  });
});
