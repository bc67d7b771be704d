import { STRATEGIES, type Strategy } from '../core/strategies';
import type { Aggregator } from '../core/stepWeights';
import type { SearchSettings } from '../workers/modelProtocol';
import { AGGREGATOR_LABELS, STRATEGY_LABELS } from './CandidatesView';

interface Props {
  value: SearchSettings;
  onChange(s: SearchSettings): void;
  /** Why the PRM strategies cannot run (shown on their options), null when they can. */
  prmMissing: string | null;
  disabled: boolean;
}

/**
 * How the policy answers: the strategy, N (candidates or beam budget), the beam width (the token beam for greedy,
 * the step beam for beam search) and the PRM aggregator.
 */
export function SearchControls({ value, onChange, prmMissing, disabled }: Props) {
  const usesN = value.strategy !== 'greedy';
  const usesPrm = value.strategy === 'bon' || value.strategy === 'beam';
  return (
    <div className="search-controls">
      <label className="field">
        Strategy
        <select aria-label="Strategy" value={value.strategy} disabled={disabled} onChange={(e) => onChange({ ...value, strategy: e.target.value as Strategy })}>
          {STRATEGIES.map((s) => (
            <option key={s} value={s}>
              {STRATEGY_LABELS[s]}
              {prmMissing && (s === 'bon' || s === 'beam') ? ` – ${prmMissing}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="field" title={value.strategy === 'beam' ? 'Chains decoded per beam level' : 'Chains: the greedy one, then sampled ones'}>
        N
        <input
          aria-label="Number of candidates (N)"
          type="number"
          min={2}
          max={32}
          value={value.n}
          disabled={disabled || !usesN}
          onChange={(e) => onChange({ ...value, n: Number(e.target.value) })}
        />
      </label>
      {value.strategy === 'greedy' && (
        <label className="field" title="Token-level beam: 1 writes the most likely token each time; a wider beam keeps that many chains, ranks them by the model's probability and prefers chains whose steps execute (slower by about that factor)">
          Beam
          <input aria-label="Token beam width" type="number" min={1} max={8} value={value.tokenBeam} disabled={disabled} onChange={(e) => onChange({ ...value, tokenBeam: Number(e.target.value) })} />
        </label>
      )}
      {value.strategy === 'beam' && (
        <label className="field">
          Width
          <input aria-label="Beam width" type="number" min={1} max={8} value={value.beamWidth} disabled={disabled} onChange={(e) => onChange({ ...value, beamWidth: Number(e.target.value) })} />
        </label>
      )}
      <label className="field">
        Aggregator
        <select aria-label="Aggregator" value={value.agg} disabled={disabled || !usesPrm} onChange={(e) => onChange({ ...value, agg: e.target.value as Aggregator })}>
          {(Object.keys(AGGREGATOR_LABELS) as Aggregator[]).map((a) => (
            <option key={a} value={a}>
              {AGGREGATOR_LABELS[a]}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
