import { useMemo } from 'react';
import { describeStep } from '../core/describeStep';
import { useStudio } from '../state/store';
import { StepCard } from './StepCard';

/** One card per CTE step, then the final query, each with its intermediate rows. */
export function StepTimeline() {
  const trajectory = useStudio((s) => s.trajectory);
  const runs = useStudio((s) => s.runs);
  // Steps written without a note (by the model or by hand) get one derived from their SQL.
  const items = useMemo(
    () =>
      trajectory
        ? [...trajectory.steps.map((s) => ({ name: s.name, note: s.note, sql: s.sql })), { name: 'final', note: trajectory.final.note, sql: trajectory.final.sql }].map(
            (it) => ({ ...it, note: it.note || describeStep(it.sql) }),
          )
        : [],
    [trajectory],
  );
  if (!trajectory) return <p className="muted">No query yet.</p>;
  return (
    <div className="timeline">
      <h2>Steps</h2>
      <ol className="step-list">
        {items.map((it, i) => (
          <StepCard key={`${i}-${it.name}`} index={i} name={it.name} note={it.note} sql={it.sql} run={runs[i] ?? null} isFinal={i === items.length - 1} />
        ))}
      </ol>
    </div>
  );
}
