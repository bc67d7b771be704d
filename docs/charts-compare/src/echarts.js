import * as echarts from 'echarts/core';
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer, CanvasRenderer } from 'echarts/renderers';
echarts.use([BarChart, LineChart, ScatterChart, GridComponent, TooltipComponent, SVGRenderer, CanvasRenderer]);
export async function render(el, data, kind, renderer = 'canvas') {
  echarts.dispose(el);
  const chart = echarts.init(el, null, { renderer, width: 640, height: 320 });
  let option;
  if (kind === 'bar') {
    const sums = new Map();
    for (const r of data) sums.set(r.c, (sums.get(r.c) ?? 0) + r.y);
    option = { xAxis: { type: 'category', data: [...sums.keys()] }, yAxis: {}, series: [{ type: 'bar', data: [...sums.values()] }] };
  } else if (kind === 'line') option = { xAxis: { type: 'time' }, yAxis: {}, series: [{ type: 'line', showSymbol: false, data: data.map((r) => [r.d, r.y]) }] };
  else option = { xAxis: {}, yAxis: {}, series: [{ type: 'scatter', symbolSize: 3, data: data.map((r) => [r.x, r.y]) }] };
  chart.setOption({ animation: false, ...option });
  return chart;
}
