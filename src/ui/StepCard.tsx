import { useState } from 'react';
import type { StepRun } from '../core/stepRunner';
import { editorStepScore, useCandidates } from '../state/candidateStore';
import { useStudio } from '../state/store';
import { ChartPanel } from './chart/ChartPanel';
import { MiniTable } from './MiniTable';
import { ScoreBar } from './ScoreBar';
import { StepFeedback } from './StepFeedback';

const PREVIEW_ROWS = 5;

interface Props {
  index: number;
  name: string;
  note: string;
  sql: string;
  run: StepRun | null;
  isFinal: boolean;
}

/**
 * A step: its name and note, its SQL, what running it gave (rows, count, time) or the error, its PRM score when known,
 * and during an exercise how it compares with the reference steps. Chart shows its rows as a chart.
 */
export function StepCard({ index, name, note, sql, run, isFinal }: Props) {
  const selected = useStudio((s) => s.selectedStep === index);
  const editorSql = useStudio((s) => s.sql);
  const prmScore = useCandidates((c) => editorStepScore(c, editorSql, index));
  const [chartOpen, setChartOpen] = useState(false);
  const outcome = run?.outcome;
  const state = !run ? 'pending' : outcome!.ok ? 'ok' : 'error';
  return (
    <li className={`step-card step-${state}${selected ? ' selected' : ''}`} data-testid="step-card" data-step={name} data-state={state}>
      <button type="button" className="step-head" onClick={() => useStudio.getState().selectStep(selected ? null : index)}>
        <span className="step-index">{isFinal ? '→' : index + 1}</span>
        <span className="step-name">{isFinal ? 'Final query' : name}</span>
        {run && outcome?.ok && (
          <span className="step-meta">
            <span data-testid="row-count">{outcome.result.totalRows.toLocaleString('en-US')}</span> {outcome.result.totalRows === 1 ? 'row' : 'rows'} · {outcome.result.elapsedMs.toFixed(1)} ms ·{' '}
            <span data-testid="run-kind">{run.cached ? 'cached' : 'ran'}</span>
          </span>
        )}
        {!run && <span className="step-meta">running…</span>}
      </button>
      {prmScore !== null && (
        <div className="step-prm">
          <ScoreBar kind="prm" caption="PRM" value={prmScore} label={`${isFinal ? 'Final query' : `Step ${name}`} PRM score`} testId="step-prm" />
        </div>
      )}
      <StepFeedback index={index} />
      {note && <p className="step-note">{note}</p>}
      <pre className="step-sql">{sql}</pre>
      {outcome && !outcome.ok && (
        <p className="step-error" role="alert" data-testid="step-error">
          {outcome.kind === 'timeout' ? 'Timed out. ' : ''}
          {isFinal ? '' : `Step ${name}: `}
          {outcome.error}
        </p>
      )}
      {outcome?.ok && (
        <>
          <MiniTable columns={outcome.result.columns} rows={outcome.result.rows.slice(0, PREVIEW_ROWS)} />
          <div className="step-actions">
            {outcome.result.totalRows > PREVIEW_ROWS && <span className="muted">first {PREVIEW_ROWS} of {outcome.result.totalRows.toLocaleString('en-US')}</span>}
            <button type="button" aria-pressed={chartOpen} onClick={() => setChartOpen(!chartOpen)}>
              Chart
            </button>
            <button type="button" onClick={() => void useStudio.getState().exportStep(index, 'csv')}>
              CSV
            </button>
            <button type="button" onClick={() => void useStudio.getState().exportStep(index, 'json')}>
              JSON
            </button>
          </div>
          {chartOpen && <ChartPanel name={isFinal ? 'result' : name} columns={outcome.result.columns} rows={outcome.result.rows} totalRows={outcome.result.totalRows} />}
        </>
      )}
    </li>
  );
}
