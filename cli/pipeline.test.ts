import { describe, expect, it } from 'vitest';
import { rebuildReason } from './pipeline.ts';

const built = (date: string, source = 'set') => ({ current: true, asOf: { date, source } });
const fixed = (date: string) => ({ date, label: 'as_of in the config' });
const latest = { date: null, label: 'the last document date' };

describe('arlens start rebuilds the marts only when something changed, and says what', () => {
  it('keeps the marts when data, models and the as-of date are as built', () => {
    expect(rebuildReason(built('2026-06-30'), fixed('2026-06-30'), false)).toBeNull();
    expect(rebuildReason(built('2026-06-30', 'last document date'), latest, false)).toBeNull();
  });

  it('never moves the as-of date silently: a new date, or a switch back to the latest document, is a reason', () => {
    expect(rebuildReason(built('2026-06-30'), fixed('2026-05-31'), false)).toBe(
      'the as-of date moves to 2026-05-31',
    );
    expect(rebuildReason(built('2026-06-30'), latest, false)).toBe(
      'the as-of date moves to the last document date',
    );
  });

  it('rebuilds after new loads or changed models', () => {
    expect(
      rebuildReason(
        { current: false, asOf: { date: '2026-06-30', source: 'set' } },
        fixed('2026-06-30'),
        false,
      ),
    ).toBe('new data was loaded since the last build');
    expect(rebuildReason({ current: true, asOf: null }, latest, false)).toBe(
      'new data was loaded since the last build',
    );
    expect(rebuildReason(built('2026-06-30'), fixed('2026-06-30'), true)).toBe(
      'the models changed since the last build',
    );
  });
});
