import { describe, expect, it } from 'vitest';
import { effectiveness, type SentLetter } from './effectiveness.ts';

const letter = (o: Partial<SentLetter>): SentLetter => ({
  level: 2,
  channel: 'email',
  date: '2026-07-01',
  region: 'EMEA',
  controller: 'Bob',
  items: [],
  ...o,
});

describe('is dunning working', () => {
  it('shares of the dunned amount paid within 7, 14 and 30 days, by level and channel', () => {
    const letters = [
      letter({
        items: [
          { itemId: 'A', openAmount: '100.00' },
          { itemId: 'B', openAmount: '300.00' },
        ],
      }),
      letter({ level: 3, items: [{ itemId: 'C', openAmount: '50.00' }] }),
    ];
    const settled = new Map<string, string | null>([
      ['A', '2026-07-05'], // 4 days after the letter
      ['B', '2026-07-20'], // 19 days
      ['C', null],
    ]);
    expect(effectiveness(letters, settled, '2026-09-01')).toEqual([
      { level: 2, channel: 'email', by: '', letters: 1, dunnedAmount: '400.00', paidShare: [0.25, 0.25, 1] },
      { level: 3, channel: 'email', by: '', letters: 1, dunnedAmount: '50.00', paidShare: [0, 0, 0] },
    ]);
  });

  it('leaves out items paid before the letter and windows not yet over; splits by region', () => {
    const letters = [
      letter({
        items: [
          { itemId: 'EARLY', openAmount: '100.00' },
          { itemId: 'X', openAmount: '100.00' },
        ],
      }),
      letter({ region: 'APAC', items: [{ itemId: 'Y', openAmount: '10.00' }] }),
    ];
    const settled = new Map<string, string | null>([
      ['EARLY', '2026-06-30'],
      ['X', '2026-07-03'],
      ['Y', '2026-07-02'],
    ]);
    // Ten days after the letters: the 14- and 30-day windows are not over.
    expect(effectiveness(letters, settled, '2026-07-11', 'region')).toEqual([
      {
        level: 2,
        channel: 'email',
        by: 'APAC',
        letters: 1,
        dunnedAmount: '10.00',
        paidShare: [1, null, null],
      },
      {
        level: 2,
        channel: 'email',
        by: 'EMEA',
        letters: 1,
        dunnedAmount: '100.00',
        paidShare: [1, null, null],
      },
    ]);
  });
});
