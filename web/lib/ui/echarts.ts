/**
 * The one owner of an ECharts instance's life: `use:echarts={{ option, onClick }}` initialises the
 * chart on the element, applies new options on update, follows the element's size, and disposes the
 * chart and its observer when the element goes. Components never call `init` themselves.
 *
 * Tree-shaken: only the charts and components ARLens draws are imported (SVG renderer: crisp text,
 * small bundle, and the DOM carries the chart for tests).
 */
import { BarChart, HeatmapChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echartsCore from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echartsCore.use([
  BarChart,
  HeatmapChart,
  LineChart,
  PieChart,
  ScatterChart,
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export type ChartOption = EChartsCoreOption;

/** What a click on a chart element tells the page (for drill-down). */
export interface ChartClick {
  readonly seriesName?: string;
  readonly name?: string;
  readonly dataIndex: number;
  readonly value: unknown;
  readonly data: unknown;
}

export interface EchartsParams {
  readonly option: ChartOption;
  readonly onClick?: (e: ChartClick) => void;
  /** Called once the chart has drawn the current option (tests and timing read it). */
  readonly onRendered?: () => void;
}

export function echarts(node: HTMLElement, params: EchartsParams) {
  const chart = echartsCore.init(node, undefined, { renderer: 'svg' });
  let current = params;
  chart.on('click', (e) => current.onClick?.(e as unknown as ChartClick));
  chart.on('finished', () => {
    node.dataset['rendered'] = 'true';
    current.onRendered?.();
  });
  const draw = (p: EchartsParams) => {
    node.dataset['rendered'] = 'false';
    chart.setOption(p.option, { notMerge: true });
  };
  draw(params);
  const observer = new ResizeObserver(() => chart.resize());
  observer.observe(node);
  return {
    update(next: EchartsParams) {
      const redraw = next.option !== current.option;
      current = next;
      if (redraw) draw(next);
    },
    destroy() {
      observer.disconnect();
      chart.dispose();
    },
  };
}
