import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { copyText, nextSort, sortedOrder, toTsv, type SortDir } from '../core/resultTable';
import { useStudio } from '../state/store';
import { ActionButton } from './ActionButton';
import { formatValue } from './formatValue';

const ROW_HEIGHT = 26;

type Selection = { row: number; col: number | null } | null;

/**
 * The final query's result: a virtualized grid (only visible rows are in the DOM). A header click sorts the rows kept
 * by that column (ascending, descending, the query's order); a click selects a cell, the row number a whole row, and
 * Ctrl/Cmd+C or the Copy button copies it (a row as tab-separated values).
 */
export function ResultGrid() {
  const runs = useStudio((s) => s.runs);
  const final = runs.length ? runs[runs.length - 1] : null;
  const scrollRef = useRef<HTMLDivElement>(null);
  const outcome = final?.outcome;
  const result = outcome?.ok ? outcome.result : null;
  const rows = result?.rows ?? [];
  const columns = result?.columns ?? [];
  const [sort, setSort] = useState<{ col: number; dir: SortDir } | null>(null);
  const [sel, setSel] = useState<Selection>(null);
  const [copied, setCopied] = useState<string | null>(null);
  // A new result starts in the query's order with nothing selected.
  useEffect(() => {
    setSort(null);
    setSel(null);
    setCopied(null);
  }, [result]);
  const order = useMemo(() => sortedOrder(rows, sort?.col ?? null, sort?.dir ?? 'asc'), [rows, sort]);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const template = `56px ${columns.map(() => 'minmax(120px, 1fr)').join(' ')}`;
  // Header and rows as wide as their columns: a wide result scrolls sideways, each row drawn across its full width.
  const minWidth = 56 + 120 * columns.length;

  const copy = async () => {
    if (!sel || !rows[sel.row]) return;
    const row = rows[sel.row]!;
    const text = sel.col === null ? toTsv([row]) : copyText(row[sel.col]!);
    try {
      await navigator.clipboard.writeText(text);
      setCopied(sel.col === null ? `Copied row ${order.indexOf(sel.row) + 1}` : 'Copied cell');
    } catch (e) {
      setCopied(`Could not copy: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.ctrlKey || e.metaKey) && e.code === 'KeyC' && sel) {
      e.preventDefault();
      void copy();
    }
  };

  return (
    <div className="result-grid">
      <div className="result-bar">
        <h2>Result</h2>
        {result && (
          <span className="muted" data-testid="result-count">
            {result.totalRows.toLocaleString('en-US')} rows{result.truncated ? ` (showing ${rows.length.toLocaleString('en-US')})` : ''} · {result.elapsedMs.toFixed(1)} ms
          </span>
        )}
        {outcome && !outcome.ok && <span className="step-error">{outcome.error}</span>}
        {copied && (
          <span className="grid-copied" role="status" data-testid="grid-copied">
            {copied}
          </span>
        )}
        {result && (
          <span className="result-actions">
            {sel && (
              <button type="button" onClick={() => void copy()} data-testid="copy-selection">
                {sel.col === null ? 'Copy row' : 'Copy cell'}
              </button>
            )}
            <ActionButton id="export.csv">Export CSV</ActionButton>
            <ActionButton id="export.json">Export JSON</ActionButton>
          </span>
        )}
      </div>
      <div className="grid-scroll" ref={scrollRef} data-testid="result-grid" tabIndex={0} onKeyDown={onKeyDown}>
        <div className="grid-header" role="row" style={{ gridTemplateColumns: template, minWidth }}>
          <span>#</span>
          {columns.map((c, i) => (
            <span key={i} role="columnheader" aria-sort={sort?.col === i ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
              <button type="button" title={`Sort by ${c}`} onClick={() => setSort(nextSort(sort, i))}>
                {c}
                {sort?.col === i ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth }}>
          {virtualizer.getVirtualItems().map((v) => {
            const r = order[v.index]!;
            const rowSelected = sel?.row === r && sel.col === null;
            return (
              <div
                key={v.key}
                className={`grid-row${rowSelected ? ' selected-row' : ''}`}
                data-testid="grid-row"
                style={{ gridTemplateColumns: template, transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
              >
                <span className="muted" onClick={() => setSel({ row: r, col: null })} title="Select the row">
                  {v.index + 1}
                </span>
                {rows[r]!.map((cell, j) => (
                  <span
                    key={j}
                    className={[cell === null ? 'null' : typeof cell === 'number' ? 'num' : '', sel?.row === r && sel.col === j ? 'selected-cell' : ''].filter(Boolean).join(' ') || undefined}
                    onClick={() => setSel({ row: r, col: j })}
                  >
                    {formatValue(cell)}
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
