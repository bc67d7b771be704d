import { useState } from 'react';
import { useHub } from '../state/hubStore';
import { useQuestionDraft } from '../state/questionDraft';
import { GREEDY, useModel } from '../state/modelStore';
import { useStudio } from '../state/store';
import type { SearchSettings } from '../workers/modelProtocol';
import { ModelPicker } from './ModelPicker';
import { SearchControls } from './SearchControls';

/**
 * Ask the local policy a question with a search strategy; shows model loading (bytes of the policy and the PRM), the
 * model in use and its backend, tokens per second, and Stop. **Model…** opens the model picker and diagnostics.
 */
export function QuestionBox() {
  const question = useQuestionDraft((q) => q.text);
  const setQuestion = useQuestionDraft((q) => q.setText);
  const [settings, setSettings] = useState<SearchSettings>(GREEDY);
  const m = useModel();
  const openPicker = useHub((h) => h.setOpen);
  const dbOpen = useStudio((s) => s.dbName !== null);
  const asking = m.askingId !== null;
  const pct = m.total > 0 ? Math.min(100, (100 * m.loaded) / m.total) : 0;
  const downloading = m.status === 'loading' || (m.status === 'ready' && m.prm === 'loading');
  const prmMissing = m.prm === 'error' ? 'PRM unavailable' : null;
  return (
    <>
    <form
      className="question-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (question.trim() && !asking) m.ask(question.trim(), settings);
      }}
    >
      <div className="question-row">
        <input
          aria-label="Question"
          placeholder="Ask a question about this database…"
          value={question}
          onFocus={() => m.status === 'idle' && m.load()}
          onChange={(e) => setQuestion(e.target.value)}
        />
        {asking ? (
          <button type="button" onClick={m.stop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!dbOpen || !question.trim()}>
            Ask
          </button>
        )}
      </div>
      <SearchControls value={settings} onChange={setSettings} prmMissing={prmMissing} disabled={asking} />
      <div className="model-status" data-testid="model-status">
        <button type="button" className="model-button" onClick={() => openPicker(true)} data-testid="model-button">
          Model: {m.model === 'embedded' ? 'embedded' : m.model}
        </button>
        {downloading && (
          <>
            <progress max={100} value={pct} aria-label="Model download" />
            <span>
              Loading {m.status === 'ready' ? 'PRM' : 'models'} {(m.loaded / 1e6).toFixed(1)}
              {m.total ? ` / ${(m.total / 1e6).toFixed(1)}` : ''} MB
            </span>
          </>
        )}
        {m.status === 'ready' && <span data-testid="backend">Policy ready · {m.backend === 'webgpu' ? 'WebGPU' : 'WASM'}</span>}
        {m.prm === 'ready' && <span data-testid="prm-status">PRM ready</span>}
        {m.prm === 'error' && m.status !== 'error' && (
          <span className="warn" data-testid="prm-status" title={m.prmError ?? undefined}>
            PRM unavailable: Greedy and Vote@N only
          </span>
        )}
        {m.status === 'idle' && <span className="muted">Local models load on first use (nothing leaves this machine).</span>}
        {m.tokensPerSecond !== null && <span data-testid="tok-s">{m.tokensPerSecond.toFixed(0)} tok/s</span>}
        {asking && <span>writing…</span>}
        {m.lastAnswer && !asking && (
          <span className="muted">
            answered in {(m.lastAnswer.totalMs / 1000).toFixed(2)} s{m.lastAnswer.prmMs > 0 ? ` (PRM ${(m.lastAnswer.prmMs / 1000).toFixed(2)} s)` : ''}
          </span>
        )}
        {m.lastAnswer && !asking && STOP_NOTES[m.lastAnswer.stopped] && (
          <span className="warn" data-testid="stop-note">
            {STOP_NOTES[m.lastAnswer.stopped]}
          </span>
        )}
        {m.error && (
          <span className="step-error" role="alert">
            {m.error}
          </span>
        )}
      </div>
    </form>
    <ModelPicker />
    </>
  );
}

/** What the user should know when a chain did not end normally. */
const STOP_NOTES: Record<string, string> = {
  'dead-end': 'The model wrote SQL that no valid query can continue, so the chain stops there: edit the last step, or ask with Best-of-N.',
  length: 'The chain hit the token limit before it ended: edit the last step, or ask with Best-of-N.',
  closed: 'The chain reached the token limit and was closed with the shortest valid ending (or cut back to its last finished step): check the last step, or ask with Best-of-N.',
};
