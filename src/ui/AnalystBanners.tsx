import { useRef } from 'react';
import { useHistory } from '../state/historyStore';
import { useShare } from '../state/share';
import { useStudio } from '../state/store';

/**
 * Two questions under the toolbar: whether to keep the local file just opened for Recent, and, for a share link made
 * on a local file, which file to open.
 */
export function AnalystBanners() {
  const offer = useHistory((h) => h.offer);
  const awaiting = useShare((s) => s.awaiting);
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <>
      {offer && (
        <div className="analyst-banner" role="status" data-testid="keep-offer">
          <span>
            Keep a copy of <b>{offer.name}</b> in this browser so that Recent reopens it without a new upload? It stays on this machine and can be deleted from History.
          </span>
          <button type="button" onClick={() => void useHistory.getState().answerOffer(true, false)}>
            Keep
          </button>
          <button type="button" onClick={() => void useHistory.getState().answerOffer(false, false)}>
            Not this one
          </button>
          <button type="button" onClick={() => void useHistory.getState().answerOffer(false, true)}>
            Never keep files
          </button>
        </div>
      )}
      {awaiting && (
        <div className="analyst-banner" role="status" data-testid="share-awaiting">
          <span>
            This link's chain was written for the local file <b>{awaiting.name}</b> ({awaiting.size.toLocaleString('en-US')} bytes), which links never carry. Open it to run the chain.
          </span>
          <button type="button" className="primary" onClick={() => fileRef.current?.click()}>
            Choose file…
          </button>
          <button type="button" onClick={() => useShare.getState().dismiss()}>
            Dismiss
          </button>
          <input
            ref={fileRef}
            type="file"
            hidden
            data-testid="share-file-input"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void useStudio.getState().openFile(f);
              e.target.value = '';
            }}
          />
        </div>
      )}
    </>
  );
}
