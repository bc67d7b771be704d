import * as Plot from '@observablehq/plot';
export async function render(el, data, kind) {
  const mark = kind === 'bar' ? Plot.barY(data, Plot.groupX({ y: 'sum' }, { x: 'c', y: 'y' })) : kind === 'line' ? Plot.lineY(data, { x: 'd', y: 'y' }) : Plot.dot(data, { x: 'x', y: 'y', r: 1.5 });
  const svg = Plot.plot({ marks: [mark], width: 640, height: 320 });
  el.replaceChildren(svg);
  return svg;
}
