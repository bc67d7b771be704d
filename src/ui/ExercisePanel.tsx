import { useState } from 'react';
import { LEVELS } from '../core/teaching/exercise';
import { PROGRESS_LABEL } from '../core/teaching/progress';
import { SAMPLES } from '../state/samples';
import { exerciseLink, useTeaching } from '../state/teachingStore';

/**
 * The open exercise: its question, level and database, whether it is solved, "Show hint" (the next reference step's
 * note) and "Show step" (its SQL), and the link that opens it.
 */
export function ExercisePanel() {
  const t = useTeaching();
  const [copied, setCopied] = useState(false);
  const ex = t.exercise;
  if (!ex) return null;
  const level = LEVELS.find((l) => l.level === ex.level)!;
  const stored = t.progress[ex.id] ?? 'unseen';
  const solvedNow = t.assessment?.solved === true;
  const shown = [...new Set([...t.hints, ...t.shownSteps])].sort((a, b) => a - b);
  const last = t.reference.length - 1;
  const link = exerciseLink(ex.id);
  return (
    <section className="exercise-panel" aria-label="Exercise" data-testid="exercise-panel">
      <div className="exercise-head">
        <h2>
          Exercise · level {ex.level}: {level.title}
        </h2>
        <span className={`progress-badge progress-${stored}`} data-testid="exercise-progress">
          {PROGRESS_LABEL[stored]}
        </span>
      </div>
      <p className="exercise-question" data-testid="exercise-question">
        {ex.question}
      </p>
      <p className="muted">
        {SAMPLES.find((s) => s.id === ex.db)?.title} · the reference takes {t.reference.length} {t.reference.length === 1 ? 'step' : 'steps'} (final query included)
      </p>
      {solvedNow && (
        <p className="exercise-solved" role="status" data-testid="exercise-solved">
          Solved{t.hints.length + t.shownSteps.length > 0 ? ' with hints' : ''}: your final result equals the reference's.
        </p>
      )}
      <div className="exercise-actions">
        <button type="button" onClick={() => t.showHint()} disabled={!t.referenceRuns}>
          Show hint
        </button>
        <button type="button" onClick={() => t.showStep()} disabled={!t.referenceRuns}>
          Show step
        </button>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(link).then(() => setCopied(true), () => setCopied(false));
          }}
          title={link}
        >
          {copied ? 'Link copied' : 'Copy link'}
        </button>
        <button type="button" onClick={() => t.openList(true)}>
          Exercises
        </button>
        <button type="button" onClick={() => t.leave()}>
          Leave
        </button>
      </div>
      {shown.length > 0 && (
        <ol className="exercise-hints" data-testid="exercise-hints">
          {shown.map((k) => (
            <li key={k} value={k + 1}>
              <span className="hint-label">{k === last ? 'Final query' : `Step ${k + 1}`}:</span> {t.reference[k]!.note}
              {t.shownSteps.includes(k) && <pre className="step-sql">{t.reference[k]!.sql}</pre>}
            </li>
          ))}
        </ol>
      )}
      {t.storageError && <p className="warn">{t.storageError}</p>}
    </section>
  );
}
