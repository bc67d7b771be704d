import { useHistory } from '../state/historyStore';
import { useStudio } from '../state/store';
import { HistoryList } from './HistoryList';
import { RecentList } from './RecentList';

/** History of the open database (searchable, restorable) beside the Recent databases, over the studio. */
export function HistoryPanel() {
  const open = useHistory((h) => h.panelOpen);
  const error = useHistory((h) => h.error);
  const dbName = useStudio((s) => s.dbName);
  if (!open) return null;
  const close = () => useHistory.getState().openPanel(false);
  return (
    <div className="history-overlay" onClick={(e) => e.target === e.currentTarget && close()} onKeyDown={(e) => e.key === 'Escape' && close()}>
      <section className="history-panel" role="dialog" aria-label="History" data-testid="history-panel">
        <div className="history-head">
          <h2>History{dbName ? ` · ${dbName}` : ''}</h2>
          <button type="button" onClick={close} aria-label="Close history">
            ×
          </button>
        </div>
        {error && (
          <p className="step-error" role="alert">
            {error}
          </p>
        )}
        <div className="history-body">
          <HistoryList />
          <RecentList />
        </div>
      </section>
    </div>
  );
}
