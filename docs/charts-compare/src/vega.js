import embed from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
export async function render(el, data, kind, renderer = 'canvas') {
  const enc = kind === 'bar' ? { mark: 'bar', encoding: { x: { field: 'c', type: 'nominal' }, y: { aggregate: 'sum', field: 'y', type: 'quantitative' } } }
    : kind === 'line' ? { mark: 'line', encoding: { x: { field: 'd', type: 'temporal' }, y: { field: 'y', type: 'quantitative' } } }
    : { mark: { type: 'point', size: 4 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } };
  const r = await embed(el, { data: { values: data }, width: 640, height: 320, ...enc }, { renderer, actions: false, ast: true, expr: expressionInterpreter });
  return r.view;
}
