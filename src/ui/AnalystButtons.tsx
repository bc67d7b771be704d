import { useHistory } from '../state/historyStore';
import { SharePopover } from './SharePopover';
import './analyst.css';

/** The toolbar's History (history of the open database and Recent databases) and Share buttons. */
export function AnalystButtons() {
  return (
    <span className="analyst-buttons">
      <button type="button" onClick={() => useHistory.getState().openPanel(true)} title="Earlier questions and chains on this database, and recent databases">
        History
      </button>
      <SharePopover />
    </span>
  );
}
