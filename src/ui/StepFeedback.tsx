import { useStudio } from '../state/store';
import { useTeaching } from '../state/teachingStore';

/** In a step card during an exercise: whether the step matches a reference step, or what differs from the closest. */
export function StepFeedback({ index }: { index: number }) {
  const sql = useStudio((s) => s.sql);
  const fb = useTeaching((t) => (t.exercise && t.assessedSql === sql ? (t.assessment?.steps[index] ?? null) : null));
  if (!fb || fb.text.length === 0) return null;
  const [head, ...rest] = fb.text;
  return (
    <div className={`step-feedback feedback-${fb.kind}`} data-testid="step-feedback" data-kind={fb.kind}>
      <p className="feedback-head">
        {fb.kind === 'match' ? '✓ ' : fb.kind === 'differs' ? '✗ ' : ''}
        {head}
      </p>
      {rest.length > 0 && (
        <ul>
          {rest.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
