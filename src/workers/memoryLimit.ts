/**
 * What a browser's memory allows a database: sql.js keeps the whole file in memory as one buffer, and a browser caps
 * one buffer's size (Chromium: just under 2 GiB per ArrayBuffer, measured in headless Chromium: 1.99 GiB allocates,
 * 2 GiB fails).
 */

/** The largest single ArrayBuffer Chromium allocates. */
export const CHROMIUM_BUFFER_LIMIT = 2 ** 31 - 1;

/** The message for a database the browser cannot give memory to. */
export function memoryMessage(bytes: number, cause?: unknown): string {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return (
    `This browser could not allocate ${formatSize(bytes)} to hold the database${why}. The studio's SQL engine (sql.js) keeps the ` +
    `whole file in memory as one buffer, and the browser limits one buffer (ArrayBuffer) to ${formatSize(CHROMIUM_BUFFER_LIMIT)} in Chromium, ` +
    'less when the tab or machine is short of memory. Nothing was changed; open a smaller copy (for example the tables you need, exported with the sqlite3 tool).'
  );
}

export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Whether an error is the browser or the engine running out of memory (not a problem of the file). */
export function isMemoryError(e: unknown): boolean {
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /allocation failed|out of memory|Cannot enlarge memory|Invalid typed array length|Array buffer allocation|RangeError|\bOOM\b/i.test(m);
}
