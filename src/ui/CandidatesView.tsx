import { useMemo } from 'react';
import { summarizeCandidate, type CandidateInfo } from '../core/candidateInfo';
import type { Strategy } from '../core/search';
import type { Aggregator } from '../core/stepWeights';
import { useCandidates } from '../state/candidateStore';
import { useModel } from '../state/modelStore';
import { ScoreBar } from './ScoreBar';

export const STRATEGY_LABELS: Record<Strategy, string> = { greedy: 'Greedy', vote: 'Vote@N', bon: 'Best-of-N (PRM)', beam: 'Beam (PRM)' };
/** In menu order: the studio's default first. */
export const AGGREGATOR_LABELS: Record<Aggregator, string> = { weighted: 'entropy-weighted', min: 'min', mean: 'mean', last: 'last', product: 'product' };

/**
 * The chains a search wrote, side by side: per step its PRM score and entropy weight, the chain's aggregate score,
 * whether its final query executes and its row count. The chosen chain is marked with the reason; clicking a chain
 * puts it in the editor.
 */
export function CandidatesView() {
  const { strategy, list, expected, chosen, reason, selected, agg } = useCandidates();
  const asking = useModel((m) => m.askingId !== null);
  if (!strategy || strategy === 'greedy') return null;
  const written = list.filter(Boolean).length;
  // Beam search finishes an unknown number of chains: one placeholder while it searches.
  const pending = asking ? (strategy === 'beam' ? 1 : Math.max(0, expected - written)) : 0;
  if (list.length === 0 && pending === 0) return null;
  return (
    <section className="candidates" aria-label="Candidates">
      <h2>
        Candidates · {STRATEGY_LABELS[strategy]}
        {asking && <span className="muted"> · {written} written</span>}
      </h2>
      {chosen !== null && reason && (
        <p className="choice-reason" data-testid="choice-reason">
          Chose candidate {chosen + 1}: {reason}.
        </p>
      )}
      <ol className="candidate-list">
        {list.map((c, i) =>
          c ? <CandidateColumn key={i} index={i} c={c} agg={agg} chosen={chosen === i} selected={selected === i} clickable={!asking} /> : null,
        )}
        {Array.from({ length: pending }, (_, i) => (
          <li key={`p${i}`} className="candidate pending" data-testid="candidate-pending">
            {strategy === 'beam' ? 'searching…' : `writing candidate ${written + i + 1}…`}
          </li>
        ))}
      </ol>
    </section>
  );
}

interface ColumnProps {
  index: number;
  c: CandidateInfo;
  agg: Aggregator;
  chosen: boolean;
  selected: boolean;
  clickable: boolean;
}

function CandidateColumn({ index, c, agg, chosen, selected, clickable }: ColumnProps) {
  const s = useMemo(() => summarizeCandidate(c, agg), [c, agg]);
  const name = `Candidate ${index + 1}`;
  return (
    <li
      className={`candidate${chosen ? ' chosen' : ''}${selected ? ' selected' : ''}`}
      data-testid="candidate"
      data-index={index}
      data-chosen={chosen}
      data-selected={selected}
      title={c.sql}
      onClick={() => clickable && useCandidates.getState().select(index)}
    >
      <button type="button" className="candidate-head" aria-label={`${name}${chosen ? ' (chosen)' : ''}`} aria-pressed={selected} disabled={!clickable}>
        #{index + 1}
        {chosen && (
          <span className="chosen-marker" data-testid="chosen-marker">
            ★ chosen
          </span>
        )}
      </button>
      <div className="candidate-meta">
        <span data-testid="candidate-score" title={`${AGGREGATOR_LABELS[agg]} aggregate of the step scores`}>
          {s.score === null ? 'not scored' : `score ${s.score.toFixed(3)}`}
        </span>
        <span data-testid="candidate-outcome" className={s.executes ? 'ok' : 'step-error'} title={s.error ?? undefined}>
          {s.executes ? `✓ ${s.rows!.toLocaleString('en-US')} ${s.rows === 1 ? 'row' : 'rows'}` : '✗ fails'}
        </span>
      </div>
      <ol className="candidate-steps">
        {s.steps.map((st, j) => (
          <li key={j} className={st.ok ? undefined : 'failed'} data-testid="candidate-step">
            <span className="candidate-step-name">{st.name}</span>
            <ScoreBar kind="prm" caption="PRM" value={st.score} label={`${name} step ${st.name} PRM score`} />
            <ScoreBar kind="weight" caption="w" value={st.weight} label={`${name} step ${st.name} entropy weight`} />
          </li>
        ))}
      </ol>
    </li>
  );
}
