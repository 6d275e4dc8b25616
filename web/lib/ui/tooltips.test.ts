/**
 * Every ECharts option the dashboard builds, fed hostile dimension values: the HTML a tooltip
 * shows must carry them as text. ECharts escapes its default tooltips and string templates ('{b}')
 * itself, but a formatter *function* returns HTML that ECharts puts in the page as it is
 * (TooltipHTMLContent.setContent → innerHTML), so each such function must escape (./html.ts).
 */
import { describe, expect, it } from 'vitest';
import { heatmapOption } from '../credit/heatmap.option.ts';
import { agingOption, balanceHistoryOption } from '../customers/customer.option.ts';
import { ANALYST } from '../explorer/fixture.ts';
import { explorerOption } from '../explorer/option.ts';
import { DEFAULT_STATE, type ExplorerState } from '../explorer/state.ts';
import { agingTrendOption } from '../widgets/aging-trend/aging-trend.option.ts';
import { dsoTrendOption } from '../widgets/dso-trend/dso-trend.option.ts';
import type { ChartOption } from './echarts.ts';

const HOSTILE = [
  '<img src=x onerror=alert(9)>',
  '"><svg onload=alert(9)>',
  'javascript:alert(9)',
  '=HYPERLINK("http://evil")',
  '+1+1',
  '@SUM(1)',
];
const MONTH = '2026-05-01T00:00:00.000';

type Formatter = (params: unknown) => unknown;

interface Found {
  readonly path: string;
  readonly formatter: unknown;
  /** The tooltip's trigger: 'axis' formatters get an array of items, others one item. */
  readonly axis: boolean;
}

/** Every tooltip formatter in an option (top level, per series, per component), with its path. */
function tooltipFormatters(value: unknown, path = 'option'): Found[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => tooltipFormatters(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const found: Found[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === 'tooltip' && v && typeof v === 'object' && 'formatter' in v) {
      const tooltip = v as { formatter: unknown; trigger?: unknown };
      found.push({
        path: `${path}.tooltip.formatter`,
        formatter: tooltip.formatter,
        axis: tooltip.trigger === 'axis',
      });
    }
    found.push(...tooltipFormatters(v, `${path}.${key}`));
  }
  return found;
}

/** What ECharts hands a formatter: each data item (item trigger), or all of them (axis). */
function formatterParams(option: ChartOption, axis: boolean): unknown[] {
  const series = (option as { series?: { name?: string; data?: unknown[] }[] }).series ?? [];
  const items = series.flatMap((s, seriesIndex) =>
    (s.data ?? []).map((data, dataIndex) => ({
      componentType: 'series',
      seriesIndex,
      seriesName: s.name ?? HOSTILE[0],
      dataIndex,
      data,
      value: data && typeof data === 'object' && 'value' in data ? data.value : data,
      name: HOSTILE[dataIndex % HOSTILE.length],
      marker: '',
      color: '#000',
    })),
  );
  return axis ? [items] : items;
}

const labelsOf = {
  explorer: {
    value: (v: unknown) => String(v),
    measure: (v: number) => String(v),
    axis: (v: number) => String(v),
    bucketTitle: 'Month',
  },
};

function options(): [string, ChartOption | null][] {
  const byRegionAndLine = HOSTILE.flatMap((region, i) =>
    HOSTILE.map((line, j) => ({
      'analyst.region': region,
      'analyst.product_line': line,
      'analyst.open_amount': `${100 * i + j}.50`,
    })),
  );
  const explorer = (chart: ExplorerState['chart'], dimensions: string[]) =>
    explorerOption(
      byRegionAndLine,
      { ...DEFAULT_STATE, chart, measures: ['open_amount'], dimensions },
      ANALYST,
      labelsOf.explorer,
    )?.option ?? null;
  const kpiRows = HOSTILE.flatMap((region, i) =>
    HOSTILE.map((line, j) => ({
      'cfo_overview.region': region,
      'cfo_overview.product_line': line,
      'cfo_overview.dso': 30 + i + j,
    })),
  );
  const overview = [
    {
      'cfo_overview.month.month': MONTH,
      'cfo_overview.dso': 40,
      'cfo_overview.countback_dso': 38,
      'cfo_overview.best_possible_dso': 30,
    },
  ];
  // Bucket names come from the build's configuration: a hostile one is shown as text.
  const aging = HOSTILE.map((bucket, i) => ({
    'aging.month.month': MONTH,
    'aging.aging_bucket': bucket,
    'aging.aging_bucket_order': i,
    'aging.total_ar': '10.00',
  }));
  const text = (s: string) => () => s;
  return [
    [
      'credit heatmap',
      heatmapOption(kpiRows, {
        x: 'cfo_overview.product_line',
        y: 'cfo_overview.region',
        value: 'cfo_overview.dso',
        higherIsWorse: true,
        format: (v) => `${v} d`,
      }),
    ],
    ['explorer bars', explorer('bar', ['region', 'product_line'])],
    ['explorer stacked', explorer('stacked', ['region', 'product_line'])],
    ['explorer lines', explorer('line', ['region', 'product_line'])],
    ['explorer pie', explorer('pie', ['region', 'product_line'])],
    [
      'DSO trend',
      dsoTrendOption(overview, 'standard', 45, {
        dso: HOSTILE[0]!,
        bestPossible: HOSTILE[1]!,
        target: HOSTILE[2]!,
        month: (d) => `${HOSTILE[0]} ${d}`,
        days: (v) => `${v} d`,
      }),
    ],
    [
      'aging trend',
      agingTrendOption(aging, [], {
        bucket: (b) => b,
        month: (d) => `${HOSTILE[0]} ${d}`,
        money: (v) => String(v),
      }),
    ],
    [
      'customer aging',
      agingOption([{ bucket: '1-30', amount: '10.00' }], {
        bucket: text(HOSTILE[0]!),
        axis: HOSTILE[1]!,
        money: (v) => String(v),
      }),
    ],
    [
      'customer balance history',
      balanceHistoryOption([{ month: '2026-05-31', total: '10.00', overdue: '1.00' }], {
        total: HOSTILE[0]!,
        overdue: HOSTILE[1]!,
        month: (d) => `${HOSTILE[0]} ${d}`,
        money: (v) => String(v),
      }),
    ],
  ];
}

describe('tooltips of every chart carry hostile values as text', () => {
  it.for(options())('%s', ([, option]) => {
    expect(option).not.toBeNull();
    for (const { path, formatter, axis } of tooltipFormatters(option)) {
      // A template string: ECharts escapes what it fills in (formatTpl(…, encode = true)).
      if (typeof formatter === 'string') continue;
      expect(typeof formatter, path).toBe('function');
      for (const params of formatterParams(option!, axis)) {
        const html = String((formatter as Formatter)(params));
        expect(html, path).not.toMatch(/<(img|svg)\b/i);
        expect(html, path).not.toContain('">');
      }
    }
  });

  it('the heatmap tooltip shows region and product line escaped, with the formatted value', () => {
    const option = heatmapOption([{ r: '<img src=x onerror=alert(9)>', p: 'A & "B"', v: 12 }], {
      x: 'p',
      y: 'r',
      value: 'v',
      higherIsWorse: true,
      format: (v) => `${v} <days>`,
    }) as { tooltip: { formatter: Formatter } };
    expect(option.tooltip.formatter({ data: [0, 0, 12] })).toBe(
      '&lt;img src=x onerror=alert(9)&gt; · A &amp; &quot;B&quot;: 12 &lt;days&gt;',
    );
  });
});

describe('no other way for data to become HTML', () => {
  it('the dashboard has no {@html}, innerHTML, outerHTML, insertAdjacentHTML or document.write', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const web = join(import.meta.dirname, '..', '..');
    const files = (await readdir(web, { recursive: true })).filter(
      (f) => /\.(svelte|ts|html)$/.test(f) && !f.endsWith('.test.ts'),
    );
    expect(files.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const f of files) {
      const text = await readFile(join(web, f), 'utf8');
      for (const pattern of [
        /\{@html/,
        /\.innerHTML\b/,
        /\.outerHTML\s*=/,
        /insertAdjacentHTML/,
        /document\.write/,
      ]) {
        if (pattern.test(text)) found.push(`${f}: ${pattern.source}`);
      }
    }
    expect(found).toEqual([]);
  });
});
