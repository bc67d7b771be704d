/** Worker side of `bench.html?rounds=N&worker`: the same decode rounds in a module Worker, as the studio runs the model. */
import { EMBEDDED_POLICY } from '../state/modelFiles';
import { loadOrtWeb, type CacheOutputs } from '../workers/ortCausalLM';
import { decodeSpeedRounds } from './policyBench';

self.onmessage = async (e: MessageEvent<{ rounds: number; base: string; cache: CacheOutputs; repeat: number }>) => {
  const read = async (u: string) => new Uint8Array(await (await fetch(new URL(u, e.data.base))).arrayBuffer());
  self.postMessage(await decodeSpeedRounds(await loadOrtWeb('wasm'), EMBEDDED_POLICY, read, e.data.rounds, e.data.cache, e.data.repeat));
};
