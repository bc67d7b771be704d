import { useState } from 'react';
import { formatBytes } from '../core/hubModel';
import { useModel } from '../state/modelStore';

/**
 * What the model runs on (issue 23): the GPU adapter and shader-f16, the backend chosen and why, WASM threads and
 * cross-origin isolation, the model's size, prompt kind and cache type, and the memory in use (the page's JS heap;
 * "Measure" asks the browser for the whole page, workers included, when the page is cross-origin isolated).
 */
export function ModelDiagnostics() {
  const d = useModel((m) => m.diagnostics);
  const loadMs = useModel((m) => m.loadMs);
  const tps = useModel((m) => m.tokensPerSecond);
  const [measured, setMeasured] = useState<string | null>(null);
  if (!d) return <p className="muted">Diagnostics appear once a model is loaded.</p>;
  const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
  const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> }).measureUserAgentSpecificMemory;
  return (
    <section className="model-diagnostics" data-testid="diagnostics">
      <h3>Diagnostics</h3>
      <dl>
        <dt>Model</dt>
        <dd>
          {d.model} · {formatBytes(d.modelBytes)} · {d.prompt === 'cocte' ? 'CoCTE prompt' : d.prompt === 'chat' ? 'chat template' : 'completion prompt'} · {d.cacheType === 'float16' ? 'fp16' : 'fp32'} cache
        </dd>
        <dt>GPU adapter</dt>
        <dd>{d.adapter ? `${d.adapter.vendor || '?'} ${d.adapter.architecture}${d.adapter.description ? ` (${d.adapter.description})` : ''}${d.adapter.fallback ? ', software fallback' : ''}` : 'none'}</dd>
        <dt>shader-f16</dt>
        <dd>{d.f16 ? 'yes' : 'no'}</dd>
        <dt>Backend</dt>
        <dd data-testid="diag-backend">
          {d.backend === 'webgpu' ? 'WebGPU' : 'WASM'}: {d.reason}
        </dd>
        <dt>Threads</dt>
        <dd data-testid="diag-threads">
          {d.threads} WASM thread{d.threads === 1 ? '' : 's'}: {d.threadsWhy} ({d.isolated ? 'cross-origin isolated' : 'not cross-origin isolated'})
        </dd>
        <dt>Speed</dt>
        <dd>
          {loadMs !== null ? `loaded in ${(loadMs / 1000).toFixed(1)} s` : ''}
          {tps !== null ? ` · last answer ${tps.toFixed(0)} tok/s` : ''}
        </dd>
        <dt>Memory</dt>
        <dd>
          {heap ? `page JS heap ${formatBytes(heap)}` : 'page JS heap not reported'}
          {measured ? ` · whole page ${measured}` : ''}{' '}
          {measure && globalThis.crossOriginIsolated && (
            <button type="button" onClick={() => void measure.call(performance).then((r) => setMeasured(formatBytes(r.bytes)), () => setMeasured('not available'))}>
              Measure
            </button>
          )}
        </dd>
      </dl>
    </section>
  );
}
