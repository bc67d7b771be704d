interface Props {
  /** In [0, 1]; null when unknown (shown as a dash). */
  value: number | null;
  /** Accessible name, e.g. `s1 PRM score`. */
  label: string;
  /** `prm`: a PRM score (green to red); `weight`: an entropy weight (blue). */
  kind: 'prm' | 'weight';
  /** Short text before the bar. */
  caption?: string;
  testId?: string;
}

/** A small horizontal bar with its number: a step's PRM score or its entropy weight. */
export function ScoreBar({ value, label, kind, caption, testId = kind === 'prm' ? 'prm-bar' : 'weight-bar' }: Props) {
  const known = value !== null && Number.isFinite(value);
  const v = known ? Math.min(1, Math.max(0, value)) : 0;
  const tone = kind === 'weight' ? '' : v >= 0.66 ? ' good' : v >= 0.33 ? ' fair' : ' poor';
  return (
    <span
      className={`score-bar score-${kind}${known ? tone : ' unknown'}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={1}
      aria-valuenow={known ? Number(v.toFixed(3)) : undefined}
      aria-valuetext={known ? v.toFixed(2) : 'not scored'}
      data-testid={testId}
      data-value={known ? v.toFixed(3) : ''}
    >
      {caption && <span className="score-caption">{caption}</span>}
      <span className="score-track">
        <span className="score-fill" style={{ width: `${(v * 100).toFixed(1)}%` }} />
      </span>
      <span className="score-num">{known ? v.toFixed(2) : '–'}</span>
    </span>
  );
}
