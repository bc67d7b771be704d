/**
 * Draws a chart with Observable Plot (loaded on demand: ChartPanel imports this module dynamically, so Plot and d3 stay
 * out of the studio's first load) and turns it into SVG text or a PNG for download.
 */
import * as Plot from '@observablehq/plot';
import type { ChartData, ChartSpec } from '../../core/chart/propose';

const COLOR = '#2f6fde';
/** Category labels longer than this are cut on the axis (the tip shows the whole value). */
const LABEL_CHARS = 18;

export interface DrawOptions {
  xLabel: string;
  yLabel: string;
  width: number;
  height: number;
}

/** The chart as an <svg> element (Plot returns a <figure> only for titles and legends, which are not used here). */
export function drawChart(data: ChartData, spec: ChartSpec, o: DrawOptions): SVGSVGElement | HTMLElement {
  const { points } = data;
  const common = { width: o.width, height: o.height, style: { fontSize: '11px' }, y: { label: o.yLabel, grid: true, nice: true } };
  if (spec.type === 'bar') {
    const domain = [...new Set(points.map((p) => String(p.x)))];
    const rotate = domain.length > 8;
    return Plot.plot({
      ...common,
      marginBottom: rotate ? 80 : 30,
      x: { label: o.xLabel, domain, tickRotate: rotate ? -40 : 0, tickFormat: (v: string) => (v.length > LABEL_CHARS ? `${v.slice(0, LABEL_CHARS - 1)}…` : v) },
      marks: [Plot.barY(points, { x: 'x', y: 'y', fill: COLOR, tip: true }), Plot.ruleY([0])],
    });
  }
  if (spec.type === 'line') {
    const marks: Plot.Markish[] = [Plot.lineY(points, { x: 'x', y: 'y', stroke: COLOR, tip: true })];
    if (points.length <= 60) marks.push(Plot.dot(points, { x: 'x', y: 'y', fill: COLOR, r: 2.5 }));
    return Plot.plot({ ...common, x: { label: o.xLabel }, marks });
  }
  return Plot.plot({
    ...common,
    x: { label: o.xLabel, grid: true, nice: true },
    marks: [Plot.dot(points, { x: 'x', y: 'y', fill: COLOR, fillOpacity: points.length > 1000 ? 0.5 : 0.85, r: points.length > 1000 ? 1.5 : 3, tip: true })],
  });
}

/** The chart's SVG as a standalone file: namespaced, dark text on a white background whatever the page's theme. */
export function svgText(chart: Element): string {
  const svg = (chart instanceof SVGSVGElement ? chart : chart.querySelector('svg'))?.cloneNode(true) as SVGSVGElement | undefined;
  if (!svg) throw new Error('The chart has no SVG to export.');
  // The pointer tip is interactive only: a frozen tip would cover the data.
  svg.querySelectorAll('[aria-label=tip]').forEach((n) => n.remove());
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  svg.style.color = '#1d2330';
  svg.style.background = '#ffffff';
  return new XMLSerializer().serializeToString(svg);
}

/** The chart rasterized at `scale` times its size, on white. */
export async function pngBlob(chart: Element, scale = 2): Promise<Blob> {
  const text = svgText(chart);
  const box = (chart instanceof SVGSVGElement ? chart : chart.querySelector('svg'))!.getBoundingClientRect();
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(box.width * scale);
    canvas.height = Math.round(box.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('This browser gave no 2D canvas to draw the PNG on.');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be encoded.'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
