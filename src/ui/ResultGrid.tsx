import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { useStudio } from '../state/store';
import { formatValue } from './formatValue';

const ROW_HEIGHT = 26;

/** The final query's result: a virtualized grid (only visible rows are in the DOM). */
export function ResultGrid() {
  const runs = useStudio((s) => s.runs);
  const final = runs.length ? runs[runs.length - 1] : null;
  const scrollRef = useRef<HTMLDivElement>(null);
  const outcome = final?.outcome;
  const rows = outcome?.ok ? outcome.result.rows : [];
  const columns = outcome?.ok ? outcome.result.columns : [];
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const template = `56px ${columns.map(() => 'minmax(120px, 1fr)').join(' ')}`;
  // Header and rows as wide as their columns: a wide result scrolls sideways, each row drawn across its full width.
  const minWidth = 56 + 120 * columns.length;
  return (
    <div className="result-grid">
      <div className="result-bar">
        <h2>Result</h2>
        {outcome?.ok && (
          <span className="muted" data-testid="result-count">
            {outcome.result.totalRows.toLocaleString('en-US')} rows{outcome.result.truncated ? ` (showing ${rows.length.toLocaleString('en-US')})` : ''} · {outcome.result.elapsedMs.toFixed(1)} ms
          </span>
        )}
        {outcome && !outcome.ok && <span className="step-error">{outcome.error}</span>}
        {outcome?.ok && (
          <span className="result-actions">
            <button type="button" onClick={() => void useStudio.getState().exportStep(runs.length - 1, 'csv')}>
              Export CSV
            </button>
            <button type="button" onClick={() => void useStudio.getState().exportStep(runs.length - 1, 'json')}>
              Export JSON
            </button>
          </span>
        )}
      </div>
      <div className="grid-scroll" ref={scrollRef} data-testid="result-grid">
        <div className="grid-header" style={{ gridTemplateColumns: template, minWidth }}>
          <span>#</span>
          {columns.map((c, i) => (
            <span key={i}>{c}</span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth }}>
          {virtualizer.getVirtualItems().map((v) => (
            <div key={v.key} className="grid-row" style={{ gridTemplateColumns: template, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}>
              <span className="muted">{v.index + 1}</span>
              {rows[v.index]!.map((cell, j) => (
                <span key={j} className={cell === null ? 'null' : typeof cell === 'number' ? 'num' : undefined}>
                  {formatValue(cell)}
                </span>
              ))}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
