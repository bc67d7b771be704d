import { useState, type DragEvent, type ReactNode } from 'react';
import { useStudio } from '../state/store';

/** Drop a database file anywhere on the page to open it. */
export function DropZone({ children }: { children: ReactNode }) {
  const [over, setOver] = useState(false);
  const openFile = useStudio((s) => s.openFile);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer.files[0];
    if (f) void openFile(f);
  };
  return (
    <div
      className={over ? 'drop-zone drop-over' : 'drop-zone'}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      {children}
      {over && <div className="drop-hint">Drop a SQLite file to open it (it stays on this machine)</div>}
    </div>
  );
}
