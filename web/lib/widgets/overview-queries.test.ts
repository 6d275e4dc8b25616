import { describe, expect, it } from 'vitest';
import { agingTrendQuery } from './aging-trend/aging-trend.query.ts';
import { dsoTrendQuery } from './dso-trend/dso-trend.query.ts';
import { kpiHeatmapQuery } from './kpi-heatmap/kpi-heatmap.query.ts';
import { kpiTilesQuery } from './kpi-tiles/kpi-tiles.query.ts';

describe('Overview and credit-policy query builders', () => {
  it('KPI tiles: every tile measure by month, global filters as single-value filters', () => {
    expect(kpiTilesQuery({ region: 'EMEA', from: '2025-07-01', to: '2026-06-30', currency: 'JPY' }))
      .toMatchInlineSnapshot(`
      {
        "filters": [
          {
            "member": "cfo_overview.region",
            "operator": "equals",
            "values": [
              "EMEA",
            ],
          },
        ],
        "measures": [
          "cfo_overview.total_ar",
          "cfo_overview.overdue_ratio",
          "cfo_overview.dso",
          "cfo_overview.best_possible_dso",
          "cfo_overview.cei",
          "cfo_overview.bad_debt_rate",
        ],
        "order": {
          "cfo_overview.month": "asc",
        },
        "timeDimensions": [
          {
            "dateRange": [
              "2025-07-01",
              "2026-06-30",
            ],
            "dimension": "cfo_overview.month",
            "granularity": "month",
          },
        ],
      }
    `);
  });

  it('DSO trend and aging: no date range means all months', () => {
    expect(dsoTrendQuery({}).timeDimensions).toEqual([
      { dimension: 'cfo_overview.month', granularity: 'month' },
    ]);
    expect(dsoTrendQuery({ productLine: 'Spare Parts' }).filters).toEqual([
      { member: 'cfo_overview.product_line', operator: 'equals', values: ['Spare Parts'] },
    ]);
    const aging = agingTrendQuery({ region: 'EMEA' });
    expect(aging.measures).toEqual(['aging.total_ar']);
    expect(aging.dimensions).toEqual(['aging.aging_bucket', 'aging.aging_bucket_order']);
    expect(aging.timeDimensions).toEqual([{ dimension: 'aging.month', granularity: 'month' }]);
    expect(aging.filters).toEqual([{ member: 'aging.region', operator: 'equals', values: ['EMEA'] }]);
  });

  it('heatmap: region x product line for the month asked', () => {
    const q = kpiHeatmapQuery({ region: 'LATAM' }, '2026-05-01');
    expect(q.dimensions).toEqual(['cfo_overview.region', 'cfo_overview.product_line']);
    expect(q.timeDimensions?.[0]?.dateRange).toEqual(['2026-05-01', '2026-05-31']);
    expect(kpiHeatmapQuery({}, '2024-02-01').timeDimensions?.[0]?.dateRange).toEqual([
      '2024-02-01',
      '2024-02-29',
    ]);
    expect(q.filters).toHaveLength(1);
  });
});
