/** The Credit policy page's two heatmaps, from their Cube rows. Pure. */
import type { ChartOption } from '../ui/echarts.ts';
import type { CubeRow } from '../cube/values.ts';
import { decimal, percent } from '../format/format.ts';
import type { CreditMetric } from './credit.query.ts';
import { heatmapOption } from './heatmap.option.ts';

/** A KPI's value for people: DSO in days, the ratios as percentages. */
export function metricFormat(metric: CreditMetric, locale: string): (v: number) => string {
  return (v) =>
    metric === 'dso' ? decimal(v, locale) : percent(v, locale, metric === 'bad_debt_rate' ? 2 : 1);
}

/** DSO, on-time ratio or bad-debt rate by region (rows) and product line (columns). */
export function kpiHeatmapOption(
  rows: readonly CubeRow[],
  metric: CreditMetric,
  locale: string,
  label?: (member: string) => string,
): ChartOption | null {
  return heatmapOption(rows, {
    ...(label ? { label } : {}),
    x: 'cfo_overview.product_line',
    y: 'cfo_overview.region',
    value: `cfo_overview.${metric}`,
    higherIsWorse: metric !== 'on_time_ratio',
    format: metricFormat(metric, locale),
  });
}

/** Credit utilisation by region (rows) and segment (columns). */
export function utilisationOption(
  rows: readonly CubeRow[],
  locale: string,
  label?: (member: string) => string,
): ChartOption | null {
  return heatmapOption(rows, {
    ...(label ? { label } : {}),
    x: 'credit_policy.segment',
    y: 'credit_policy.region',
    value: 'credit_policy.credit_utilisation_ratio',
    higherIsWorse: true,
    format: (v) => percent(v, locale, 0),
  });
}
