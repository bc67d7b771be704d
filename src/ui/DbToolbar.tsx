import { useRef, useState } from 'react';
import { useStudio } from '../state/store';
import { SAMPLES } from '../state/samples';
import { useTeaching } from '../state/teachingStore';
import { AnalystButtons } from './AnalystButtons';
import { OpenProgress } from './OpenProgress';
import { ThemeToggle } from './ThemeToggle';

/** Open a database: bundled samples, a local file, or a URL; open the exercises. Shows what is open. */
export function DbToolbar() {
  const { dbName, dbBytes, openMs, opening, openSample, openFile, openUrl } = useStudio();
  const fileRef = useRef<HTMLInputElement>(null);
  const [url, setUrl] = useState('');
  return (
    <header className="toolbar">
      <span className="brand">CoCTE Studio</span>
      <label className="field">
        Sample
        <select aria-label="Sample database" value="" onChange={(e) => e.target.value && void openSample(e.target.value)}>
          <option value="">Open a sample…</option>
          {SAMPLES.map((s) => (
            <option key={s.id} value={s.id}>
              {s.title}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => fileRef.current?.click()}>
        Open file…
      </button>
      <input
        ref={fileRef}
        type="file"
        data-testid="file-input"
        accept=".sqlite,.sqlite3,.db,.db3,application/x-sqlite3,application/vnd.sqlite3"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void openFile(f);
          e.target.value = '';
        }}
      />
      <form
        className="url-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) void openUrl(url.trim());
        }}
      >
        <input aria-label="Database URL" placeholder="https://…/file.sqlite" value={url} onChange={(e) => setUrl(e.target.value)} />
        <button type="submit">Open URL</button>
      </form>
      <button type="button" onClick={() => useTeaching.getState().openList(true)} title="Practise writing CTE steps">
        Exercises
      </button>
      <AnalystButtons />
      <span className="db-status" data-testid="db-status">
        {opening ? <OpenProgress /> : dbName ? `${dbName} · ${formatBytes(dbBytes)} · opened in ${openMs?.toFixed(0)} ms · read-only` : 'No database'}
      </span>
      <ThemeToggle />
    </header>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
