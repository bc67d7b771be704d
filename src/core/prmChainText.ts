/**
 * The text of an edited chain as the PRM reads it: the chain printed the way the PRM's training chains were
 * (canonical CoCTE, scripts/make-prm-data.ts), without the `-- note` comments a person or the decomposer adds, so
 * `stepChunks` finds one chunk per step whatever the editor's layout.
 */
import { printCoCTE } from './cocte';
import type { Trajectory } from './types';

export function prmChainText(t: Trajectory): string {
  return printCoCTE({ ...t, steps: t.steps.map((s) => ({ ...s, note: '' })), final: { ...t.final, note: '' } });
}
