import { describe, expect, it } from 'vitest';
import { diffRows, formatDiff } from './unit-tests.ts';

describe('unit test comparison', () => {
  it('compares the named columns as strings, ignoring order and other columns', () => {
    const expected = [
      { id: 'C1', amount: '15.00' },
      { id: 'C2', amount: '0.00' },
    ];
    const actual = [
      { id: 'C2', amount: '0.00', other: 1 },
      { id: 'C1', amount: '15.00', other: 2 },
    ];
    expect(diffRows(['id', 'amount'], expected, actual)).toEqual({ missing: [], unexpected: [] });
  });

  it('counts duplicates and tells NULL from the text NULL', () => {
    const { missing, unexpected } = diffRows(
      ['id', 'n'],
      [
        { id: 'a', n: 1 },
        { id: 'a', n: 1 },
        { id: 'b', n: null },
      ],
      [
        { id: 'a', n: 1 },
        { id: 'b', n: 'null' },
        { id: 'c', n: true },
      ],
    );
    expect(missing).toEqual([
      ['a', '1'],
      ['b', null],
    ]);
    expect(unexpected).toEqual([
      ['b', 'null'],
      ['c', 'true'],
    ]);
  });

  it('formats a diff as a table: - expected only, + actual only', () => {
    expect(
      formatDiff(
        ['customer_id', 'open_amount'],
        [['C1', '15.00']],
        [
          ['C1', '10.50'],
          ['C9', null],
        ],
      ),
    ).toBe(
      [
        '    | customer_id | open_amount',
        '  - | C1          | 15.00',
        '  + | C1          | 10.50',
        '  + | C9          | NULL',
      ].join('\n'),
    );
  });
});
