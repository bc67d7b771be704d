import { useRef, type DragEvent } from 'react';
import { formatBytes, KNOWN_GOOD } from '../core/hubModel';
import { useHub } from '../state/hubStore';
import { useModel } from '../state/modelStore';
import { ModelDiagnostics } from './ModelDiagnostics';
import './modelPicker.css';

/**
 * The model picker (issue 23): the embedded model, a Hub model id (with a short known-good list; its files, sizes and
 * dtypes are listed before anything downloads), or a local folder (directory picker or dropped folder). Downloads
 * show bytes per file and can be cancelled; cached models are listed with their sizes and can be deleted.
 */
export function ModelPicker() {
  const h = useHub();
  const model = useModel((m) => m.model);
  const folderInput = useRef<HTMLInputElement>(null);
  if (!h.open) return null;
  const option = h.listing?.options.find((o) => o.dtype === h.dtype);
  return (
    <div className="model-picker-backdrop" onClick={() => !h.downloading && h.setOpen(false)}>
      <div className="model-picker" role="dialog" aria-label="Choose a model" onClick={(e) => e.stopPropagation()} onDragOver={(e) => e.preventDefault()} onDrop={(e) => {
          e.stopPropagation();
          void dropFolder(e);
        }}>
        <header>
          <h2>Model</h2>
          <span className="muted" data-testid="model-in-use">
            In use: {model === 'embedded' ? 'the embedded policy' : model}
          </span>
          <button type="button" onClick={() => h.setOpen(false)} disabled={h.downloading}>
            Close
          </button>
        </header>

        <section>
          <h3>Embedded</h3>
          <button type="button" onClick={h.useEmbedded} disabled={model === 'embedded'}>
            Use the embedded policy (7.5M, CoCTE-trained)
          </button>
        </section>

        <section>
          <h3>Hugging Face Hub</h3>
          <form
            className="hub-row"
            onSubmit={(e) => {
              e.preventDefault();
              void h.list();
            }}
          >
            <input aria-label="Hub model id" list="known-models" placeholder="owner/name" value={h.id} onChange={(e) => h.setId(e.target.value)} disabled={h.downloading} />
            <datalist id="known-models">
              {KNOWN_GOOD.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.note}
                </option>
              ))}
            </datalist>
            <button type="submit" disabled={!h.id || h.listingBusy || h.downloading}>
              {h.listingBusy ? 'Listing…' : 'List files'}
            </button>
          </form>
          {h.listing && (
            <div data-testid="hub-listing">
              <label>
                Weights{' '}
                <select aria-label="Dtype" value={h.dtype ?? ''} onChange={(e) => h.setDtype(e.target.value)} disabled={h.downloading}>
                  {h.listing.options.map((o) => (
                    <option key={o.dtype} value={o.dtype}>
                      {o.dtype} · {formatBytes(o.bytes)}
                      {o.f16 && h.gpuF16 === false ? ' (needs shader-f16 for the GPU)' : ''}
                    </option>
                  ))}
                </select>
              </label>
              <table className="hub-files">
                <tbody>
                  {h.listing.files
                    .filter((f) => f.path.endsWith('.json') || f.path.startsWith('onnx/'))
                    .map((f) => {
                      const p = h.progress[f.path];
                      return (
                        <tr key={f.path} data-testid="hub-file" className={option && (option.onnx === f.path || option.data.includes(f.path) || !f.path.startsWith('onnx/')) ? '' : 'muted'}>
                          <td>{f.path}</td>
                          <td>{formatBytes(f.size)}</td>
                          <td>{p && <progress max={Math.max(1, p.total)} value={p.loaded} aria-label={`${f.path} progress`} />}</td>
                          <td>{p ? `${formatBytes(p.loaded)}` : ''}</td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
              {h.downloading ? (
                <button type="button" onClick={h.cancel}>
                  Cancel download
                </button>
              ) : (
                <button type="button" className="primary" onClick={() => void h.download()} disabled={!option}>
                  Download {option ? formatBytes(option.bytes) : ''} and use
                </button>
              )}
            </div>
          )}
        </section>

        <section>
          <h3>Local folder</h3>
          <p className="muted">A folder in the transformers.js layout (config.json, tokenizer files, onnx/model*.onnx). Choose it or drop it here.</p>
          <input
            ref={folderInput}
            type="file"
            aria-label="Model folder"
            // Chromium's directory upload: every file with its path under the folder.
            {...({ webkitdirectory: '', directory: '' } as Record<string, string>)}
            multiple
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              const root = files[0]?.webkitRelativePath.split('/')[0] ?? 'folder';
              h.loadFolder(
                files.map((f) => ({ path: f.webkitRelativePath.split('/').slice(1).join('/'), file: f })),
                root,
              );
              e.target.value = '';
            }}
          />
        </section>

        <section>
          <h3>In this browser</h3>
          {h.cached.length === 0 ? (
            <p className="muted">No downloaded models.</p>
          ) : (
            <ul className="cached-models">
              {h.cached.map((c) => (
                <li key={c.id} data-testid="cached-model">
                  <span>
                    {c.id} · {c.dtype} · {formatBytes(c.bytes)}
                    {c.complete ? '' : ' (incomplete)'}
                  </span>
                  <button type="button" onClick={() => h.loadCached(c.id)} disabled={!c.complete}>
                    Use
                  </button>
                  <button type="button" onClick={() => void h.remove(c.id)}>
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>

        {h.error && (
          <p className="step-error" role="alert" data-testid="hub-error">
            {h.error}
          </p>
        )}
        <ModelDiagnostics />
      </div>
    </div>
  );
}

/** A dropped folder: every file under it with its path (FileSystemEntry walk). */
async function dropFolder(e: DragEvent): Promise<void> {
  e.preventDefault();
  const entry = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry()).find((x) => x?.isDirectory);
  if (!entry) return;
  const out: { path: string; file: Blob }[] = [];
  const walk = async (dir: FileSystemDirectoryEntry, prefix: string): Promise<void> => {
    const reader = dir.createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
      if (!batch.length) break;
      for (const x of batch) {
        if (x.isDirectory) await walk(x as FileSystemDirectoryEntry, `${prefix}${x.name}/`);
        else out.push({ path: `${prefix}${x.name}`, file: await new Promise<File>((res, rej) => (x as FileSystemFileEntry).file(res, rej)) });
      }
    }
  };
  await walk(entry as FileSystemDirectoryEntry, '');
  useHub.getState().loadFolder(out, entry.name);
}
