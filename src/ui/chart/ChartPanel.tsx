import { useEffect, useMemo, useRef, useState } from 'react';
import { CHART_TYPES, chartData, chartSettings, columnKinds, isValidSpec, noChartReason, proposeChart, withAxis, withType, xChoices, yChoices, type ChartSpec, type ChartType } from '../../core/chart/propose';
import type { SqlValue } from '../../core/types';
import { saveBlob } from '../../state/saveFile';
import '../analyst.css';

interface Props {
  /** The step's name, for the file names of the exports. */
  name: string;
  columns: string[];
  rows: SqlValue[][];
  /** Rows the step returned (the rows given may be the first ROW_CAP of them). */
  totalRows: number;
}

type RenderModule = typeof import('./renderChart');

/**
 * A chart of a step's rows: proposed from the columns' kinds (src/core/chart/propose.ts), with the type and both axes
 * to choose, drawn by Observable Plot (loaded the first time a chart is shown), exported as PNG or SVG. The host
 * element carries the last draw's time in `data-render-ms` (drawing and the next frame, Plot's loading excluded) and the
 * number of draws in `data-renders`.
 */
export function ChartPanel({ name, columns, rows, totalRows }: Props) {
  const kinds = useMemo(() => columnKinds(columns, rows), [columns, rows]);
  const proposed = useMemo(() => proposeChart(kinds), [kinds]);
  const [chosen, setChosen] = useState<ChartSpec | null>(null);
  const spec = chosen && isValidSpec(chosen, kinds) ? chosen : proposed;
  const data = useMemo(() => (spec ? chartData(rows, spec, kinds) : null), [rows, spec, kinds]);
  const host = useRef<HTMLDivElement>(null);
  const mod = useRef<RenderModule | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** The last draw's time and how many draws this panel made. */
  const [drawn, setDrawn] = useState<{ ms: number; n: number } | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!spec || !data || !el) return;
    let cancelled = false;
    (async () => {
      try {
        mod.current ??= await import('./renderChart');
        if (cancelled) return;
        const t0 = performance.now();
        const s = chartSettings();
        const width = Math.max(280, Math.min(s.width, el.clientWidth || s.width));
        el.replaceChildren(mod.current.drawChart(data, spec, { xLabel: columns[spec.x]!, yLabel: columns[spec.y]!, width, height: s.height }));
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        if (!cancelled) {
          const ms = performance.now() - t0;
          setDrawn((d) => ({ ms, n: (d?.n ?? 0) + 1 }));
          setError(null);
        }
      } catch (e) {
        if (!cancelled) setError(`The chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [spec, data, columns]);

  if (!spec || !data) return <p className="muted chart-none" data-testid="chart-none">{noChartReason(kinds)}</p>;
  const save = async (format: 'png' | 'svg') => {
    const el = host.current?.firstElementChild;
    if (!el || !mod.current) return;
    try {
      const blob = format === 'svg' ? new Blob([mod.current.svgText(el)], { type: 'image/svg+xml' }) : await mod.current.pngBlob(el);
      saveBlob(`${name}-${spec.type}.${format}`, blob);
    } catch (e) {
      setError(`Export failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const option = (i: number) => (
    <option key={i} value={i}>
      {columns[i]} ({kinds[i]})
    </option>
  );
  return (
    <div className="chart-panel" data-testid="chart-panel" data-chart-type={spec.type}>
      <div className="chart-controls">
        <select aria-label="Chart type" value={spec.type} onChange={(e) => setChosen(withType(spec, e.target.value as ChartType, kinds) ?? spec)}>
          {CHART_TYPES.map((t) => (
            <option key={t.type} value={t.type} disabled={withType(spec, t.type, kinds) === null}>
              {t.label}
            </option>
          ))}
        </select>
        <label>
          x
          <select aria-label="Chart x axis" value={spec.x} onChange={(e) => setChosen(withAxis(spec, 'x', Number(e.target.value), kinds))}>
            {xChoices(spec.type, kinds).map(option)}
          </select>
        </label>
        <label>
          y
          <select aria-label="Chart y axis" value={spec.y} onChange={(e) => setChosen(withAxis(spec, 'y', Number(e.target.value), kinds))}>
            {yChoices(kinds).map(option)}
          </select>
        </label>
        <span className="chart-export">
          <button type="button" onClick={() => void save('png')}>
            PNG
          </button>
          <button type="button" onClick={() => void save('svg')}>
            SVG
          </button>
        </span>
      </div>
      <div className="chart-host" ref={host} data-testid="chart" data-render-ms={drawn?.ms.toFixed(1)} data-renders={drawn?.n ?? 0} />
      <p className="muted chart-note">
        {data.points.length.toLocaleString('en-US')} {spec.type === 'bar' ? 'bars' : 'points'}
        {data.overLimit > 0 && ` · the first ${data.points.length.toLocaleString('en-US')} shown`}
        {data.dropped - data.overLimit > 0 && ` · ${(data.dropped - data.overLimit).toLocaleString('en-US')} rows without a value on an axis left out`}
        {totalRows > rows.length && ` · of the first ${rows.length.toLocaleString('en-US')} of ${totalRows.toLocaleString('en-US')} rows`}
        {drawn && ` · drawn in ${drawn.ms.toFixed(0)} ms`}
      </p>
      {error && (
        <p className="step-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

