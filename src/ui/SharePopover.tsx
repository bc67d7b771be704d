import { useState } from 'react';
import { currentShareLink } from '../state/share';
import { useStudio } from '../state/store';

/** Share: a link to what is on screen (question, chain, sample or URL; never data), shown to copy. */
export function SharePopover() {
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const source = useStudio((s) => s.dbSource);
  const open = () => {
    try {
      setLink(currentShareLink());
      setNote(null);
    } catch (e) {
      setLink(null);
      setNote(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <span className="share">
      <button type="button" onClick={() => (link || note ? (setLink(null), setNote(null)) : open())} aria-expanded={link !== null}>
        Share
      </button>
      {(link || note) && (
        <div className="share-popover" role="dialog" aria-label="Share link">
          {link && (
            <>
              <input readOnly value={link} aria-label="Share link" data-testid="share-link" onFocus={(e) => e.target.select()} />
              <div className="share-row">
                <button type="button" onClick={() => void navigator.clipboard?.writeText(link).then(() => setNote('Copied.'), () => setNote('Copy it from the field.'))}>
                  Copy
                </button>
                <button type="button" onClick={() => setLink(null)}>
                  Close
                </button>
              </div>
              <p className="muted">
                It carries the question and the chain{source?.kind === 'sample' ? ' and the sample' : source?.kind === 'url' ? ' and the database URL' : ''}, never rows.
                {source?.kind === 'file' && ` Whoever opens it is asked for ${source.name}: the file itself is not shared.`}
              </p>
            </>
          )}
          {note && <p className={link ? 'muted' : 'step-error'}>{note}</p>}
        </div>
      )}
    </span>
  );
}
