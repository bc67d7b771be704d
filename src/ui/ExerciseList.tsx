import { LEVELS } from '../core/teaching/exercise';
import { EXERCISES } from '../core/teaching/exerciseSet';
import { levelProgress, PROGRESS_LABEL } from '../core/teaching/progress';
import { useTeaching } from '../state/teachingStore';

/** The exercises by level, with the progress on each level and each exercise's state; choosing one opens it. */
export function ExerciseList() {
  const open = useTeaching((t) => t.listOpen);
  const progress = useTeaching((t) => t.progress);
  if (!open) return null;
  const perLevel = levelProgress(EXERCISES, progress);
  return (
    <div className="exercise-overlay" role="dialog" aria-label="Exercises" data-testid="exercise-list">
      <div className="exercise-list">
        <div className="exercise-list-head">
          <h2>Exercises: write the answer as CTE steps; every step is checked by running it</h2>
          <button type="button" onClick={() => useTeaching.getState().openList(false)} aria-label="Close exercises">
            ×
          </button>
        </div>
        <div className="exercise-levels">
          {LEVELS.map((l) => {
            const p = perLevel.find((x) => x.level === l.level)!;
            const done = p.solved + p.solvedWithHints;
            return (
              <section key={l.level} className="exercise-level" data-testid={`level-${l.level}`}>
                <h3>
                  Level {l.level}: {l.title}
                </h3>
                <p className="muted">{l.about}</p>
                <p className="level-progress" data-testid="level-progress">
                  {done} / {p.total} solved{p.solvedWithHints ? ` (${p.solvedWithHints} with hints)` : ''}
                  {p.tried ? ` · ${p.tried} tried` : ''}
                </p>
                <progress max={p.total} value={done} />
                <ul>
                  {EXERCISES.filter((e) => e.level === l.level).map((e) => {
                    const s = progress[e.id] ?? 'unseen';
                    return (
                      <li key={e.id}>
                        <button type="button" className="exercise-item" data-exercise={e.id} onClick={() => void useTeaching.getState().start(e.id)}>
                          <span className={`progress-dot progress-${s}`} title={PROGRESS_LABEL[s]} aria-label={PROGRESS_LABEL[s]} />
                          <span className="exercise-item-q">{e.question}</span>
                          <span className="muted">{e.db}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
}
