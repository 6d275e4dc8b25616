import type { Query } from '@cubejs-client/core';
import { addDays } from '../../../../core/calendar.ts';
import type { GlobalFilters } from '../../filters/filters.ts';

/**
 * Expected cash in per forecast week with the 80 % interval: the portfolio total, or one region's
 * rows when the region filter is set (intervals do not add up, so each query reads one group).
 */
export function cashForecastQuery(f: GlobalFilters): Query {
  return {
    measures: [
      'cash_forecast.expected_receipts',
      'cash_forecast.expected_receipts_low',
      'cash_forecast.expected_receipts_high',
    ],
    timeDimensions: [{ dimension: 'cash_forecast.period_start', granularity: 'day' }],
    filters: [
      { member: 'cash_forecast.grain', operator: 'equals', values: ['week'] },
      { member: 'cash_forecast.grouping', operator: 'equals', values: [f.region ? 'region' : 'total'] },
      ...(f.region
        ? [{ member: 'cash_forecast.group_value', operator: 'equals' as const, values: [f.region] }]
        : []),
    ],
    order: { 'cash_forecast.period_start': 'asc' },
  };
}

/** Cash received per week in the 13 weeks up to the as-of date (the actuals beside the forecast). */
export function cashActualsQuery(f: GlobalFilters, asOf: string): Query {
  return {
    measures: ['payments_received.amount'],
    timeDimensions: [
      {
        dimension: 'payments_received.payment_date',
        granularity: 'week',
        dateRange: [addDays(asOf, -90), asOf],
      },
    ],
    filters: f.region ? [{ member: 'payments_received.region', operator: 'equals', values: [f.region] }] : [],
    order: { 'payments_received.payment_date': 'asc' },
  };
}

/** The latest backtest: each method's 4-week WAPE and bias, and the model's interval coverage. */
export function forecastAccuracyQuery(): Query {
  return {
    measures: ['forecast_accuracy.value'],
    dimensions: [
      'forecast_accuracy.method',
      'forecast_accuracy.metric',
      'forecast_accuracy.origins',
      'forecast_accuracy.first_origin',
      'forecast_accuracy.last_origin',
    ],
  };
}
