import { useMemo } from 'react';
import { entryTitle, lastSqlLine, searchHistory, type HistoryEntry } from '../core/history/history';
import { useHistory } from '../state/historyStore';

/** The open database's questions and chains, newest first, with a search; a click restores one. */
export function HistoryList() {
  const entries = useHistory((h) => h.entries);
  const query = useHistory((h) => h.query);
  const shown = useMemo(() => searchHistory(entries, query), [entries, query]);
  return (
    <div className="history-list">
      <div className="history-search">
        <input type="search" aria-label="Search history" placeholder="Search questions and SQL…" value={query} onChange={(e) => useHistory.getState().setQuery(e.target.value)} autoFocus />
        <span className="muted">
          {shown.length} of {entries.length}
        </span>
      </div>
      {entries.length === 0 && <p className="muted">Nothing yet: questions asked and chains run on this database are kept here (without their rows).</p>}
      <ol className="history-entries">
        {shown.map((e) => (
          <Entry key={e.id} e={e} />
        ))}
      </ol>
      {entries.length > 0 && (
        <button type="button" className="history-clear" onClick={() => void useHistory.getState().clearDb()}>
          Clear this database's history
        </button>
      )}
    </div>
  );
}

function Entry({ e }: { e: HistoryEntry }) {
  const final = e.steps[e.steps.length - 1];
  const failed = e.steps.find((s) => s.error !== null);
  return (
    <li className="history-entry" data-testid="history-entry">
      <button type="button" className="history-restore" onClick={() => useHistory.getState().restore(e)} title="Put this question and chain back in the editor and run it">
        <span className="history-title">{entryTitle(e)}</span>
        {e.question && <code className="history-sql">{lastSqlLine(e.sql)}</code>}
        <span className="muted history-meta">
          {new Date(e.at).toLocaleString()} · {e.origin === 'answer' ? 'model answer' : 'edited'} · {e.steps.length} {e.steps.length === 1 ? 'step' : 'steps'} ·{' '}
          {failed ? <span className="step-error">{failed.name}: {failed.error}</span> : `${(final?.rows ?? 0).toLocaleString('en-US')} rows`}
        </span>
      </button>
      <button type="button" className="history-delete" aria-label="Delete this entry" onClick={() => void useHistory.getState().remove(e)}>
        Delete
      </button>
    </li>
  );
}
