import { useStudio } from '../state/store';
import { formatSize } from '../workers/memoryLimit';

/** While a database opens: a bar with the bytes read, then the tables described. */
export function OpenProgress() {
  const p = useStudio((s) => s.openProgress);
  if (!p) return <>Opening…</>;
  const text =
    p.phase === 'read'
      ? `Reading ${p.name}: ${formatSize(p.done)} of ${formatSize(p.total)}`
      : `Describing the tables of ${p.name}: ${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')}`;
  return (
    <span className="open-progress" data-testid="open-progress">
      <progress max={Math.max(1, p.total)} value={p.done} aria-label="Opening the database" />
      <span>{text}</span>
    </span>
  );
}
