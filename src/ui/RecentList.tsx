import type { RecentDb } from '../core/history/history';
import { useHistory } from '../state/historyStore';
import type { KeepFiles } from '../state/historyDb';
import { opfsAvailable } from '../state/opfsFiles';

/** Databases opened before: a click reopens one (a kept file without a new upload); Delete forgets it and its copy. */
export function RecentList() {
  const recent = useHistory((h) => h.recent);
  const keepFiles = useHistory((h) => h.keepFiles);
  return (
    <div className="recent-list">
      <h2>Recent databases</h2>
      <ol className="recent-entries">
        {recent.map((r) => (
          <li key={r.key} className="recent-entry" data-testid="recent-entry">
            <button type="button" className="recent-open" onClick={() => void useHistory.getState().reopen(r)} disabled={r.ref.kind === 'file' && !r.stored}>
              <span className="history-title">{r.name}</span>
              <span className="muted history-meta">{describe(r)}</span>
            </button>
            <button type="button" className="history-delete" aria-label={`Forget ${r.name}`} onClick={() => void useHistory.getState().forget(r)}>
              Delete
            </button>
          </li>
        ))}
      </ol>
      <label className="keep-files">
        Keep opened files in this browser
        <select aria-label="Keep opened files" value={keepFiles} onChange={(e) => void useHistory.getState().setKeepFiles(e.target.value as KeepFiles)} disabled={!opfsAvailable()}>
          <option value="ask">Ask each time</option>
          <option value="yes">Always</option>
          <option value="no">Never</option>
        </select>
      </label>
      <p className="muted">A kept file is a read-only copy in this browser's private storage; your own file is never changed. Delete removes the copy.</p>
    </div>
  );
}

function describe(r: RecentDb): string {
  const when = new Date(r.lastOpened).toLocaleString();
  if (r.ref.kind === 'sample') return `sample · ${when}`;
  if (r.ref.kind === 'url') return `${r.ref.url} · ${when}`;
  const mb = r.bytes >= 1024 * 1024 ? `${(r.bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(r.bytes / 1024)} kB`;
  return `local file, ${mb} · ${r.stored ? 'kept in this browser' : 'not kept: open it again from disk'} · ${when}`;
}
