import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('forecast CSV', () => {
  it('neutralises formulas in text, quotes separators, keeps money and dates as they are', () => {
    const csv = toCsv(
      [
        { name: 'customer_name', kind: 'text' },
        { name: 'expected_amount_rc', kind: 'money' },
        { name: 'period_start', kind: 'date' },
      ],
      [
        {
          customer_name: '=HYPERLINK("http://x","y")',
          expected_amount_rc: '-12.50',
          period_start: '2026-07-01',
        },
        { customer_name: '<script>alert(1)</script>', expected_amount_rc: '=1+1', period_start: '@SUM(A1)' },
        { customer_name: 'A, "B"\r\nC', expected_amount_rc: null, period_start: null },
      ],
    );
    expect(csv).toBe(
      'customer_name,expected_amount_rc,period_start\r\n' +
        '"\'=HYPERLINK(""http://x"",""y"")",-12.50,2026-07-01\r\n' +
        "<script>alert(1)</script>,'=1+1,'@SUM(A1)\r\n" +
        '"A, ""B""\r\nC",,\r\n',
    );
  });
});
