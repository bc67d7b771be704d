/**
 * The big-database part of `npm run bench` (issue 25 item 4): the steps / monolithic ratio on a generated 1M-row
 * database (every step run as the studio runs it, reusing the rows of earlier steps, against the original query
 * once), and in headless Chromium the time to open generated databases of 200 MB and 1 GB through the studio's file
 * input (and the message for a 2.2 GB file, past the browser's buffer limit) and to render the schema panel of a
 * 2,000-table database.
 *   npm run bench -- --big-only    runs only this part
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { stepPrefixSql } from '../../src/core/cocte';
import { decomposeSql } from '../../src/core/decompose';
import type { QueryOutcome } from '../../src/core/types';
import { SqlJsEngine } from '../../src/workers/sqljsEngine';
import { waitFor } from './benchBrowser';
import { sizedDb, sparseDbFile, storeDb, wideDb } from './bigDb';
import { sqlJs } from './spider';

/** Rows the studio keeps of each step (src/state/engine.ts ROW_CAP). */
const ROW_CAP = 10_000;

/** Questions an analyst asks of the store, as one query each; decomposed into 3–5 steps. */
export const STORE_QUERIES = [
  `SELECT c.country, count(*) AS orders, sum(o.quantity) AS items FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.status = 'shipped' GROUP BY c.country HAVING count(*) > 1000 ORDER BY items DESC, c.country LIMIT 10`,
  `SELECT p.category, round(sum(o.quantity * p.price), 2) AS revenue FROM orders o JOIN products p ON o.product_id = p.id WHERE o.ordered_on >= '2024-01-01' GROUP BY p.category ORDER BY revenue DESC`,
  `SELECT c.segment, count(DISTINCT o.customer_id) AS buyers FROM orders o JOIN customers c ON o.customer_id = c.id WHERE o.quantity > (SELECT avg(quantity) FROM orders) GROUP BY c.segment`,
  `SELECT strftime('%Y-%m', ordered_on) AS month, count(*) AS returned FROM orders WHERE status = 'returned' GROUP BY month ORDER BY month`,
];

export interface RatioReport {
  rows: number;
  queries: { steps: number; monolithicMs: number; reusedMs: number; plainMs: number; reusedRatio: number; plainRatio: number; sameAsPlainSteps: boolean; sameAsMonolithic: boolean }[];
  /** All chains' step-by-step time (reusing earlier steps) over all monolithic times. */
  reusedOverMonolithic: number;
  /** The same with every step prefix run whole (before step reuse). */
  plainOverMonolithic: number;
}

function timed(f: () => QueryOutcome): { ms: number; o: QueryOutcome } {
  const t0 = performance.now();
  const o = f();
  return { ms: performance.now() - t0, o };
}

/**
 * The steps / monolithic ratio on the generated 1M-row store. Each of `repeat` rounds runs the query, its chain
 * reusing steps, and its chain with every prefix whole; each is timed by its fastest round (on a shared machine the
 * slower rounds measure the other processes).
 */
export async function stepRatio(repeat = 5): Promise<RatioReport> {
  const path = await storeDb();
  const e = new SqlJsEngine(await sqlJs());
  e.open(new Uint8Array(readFileSync(path)));
  const schema = e.schema();
  const queries: RatioReport['queries'] = [];
  for (const q of STORE_QUERIES) {
    const t = decomposeSql(q, schema);
    e.query(q, ROW_CAP); // warm the page cache
    const mono: number[] = [];
    const reused: number[] = [];
    const plain: number[] = [];
    let sameAsPlainSteps = true;
    let sameAsMonolithic = true;
    for (let r = 0; r < repeat; r++) {
      const m = timed(() => e.query(q, ROW_CAP));
      mono.push(m.ms);
      e.forgetSteps();
      let chain = 0;
      let whole = 0;
      for (let i = 0; i <= t.steps.length; i++) {
        const s = timed(() => e.queryStep(t, i, ROW_CAP));
        const p = timed(() => e.query(stepPrefixSql(t, i), ROW_CAP));
        chain += s.ms;
        whole += p.ms;
        sameAsPlainSteps &&= JSON.stringify(s.o) .replace(/"elapsedMs":[\d.e+-]+/, '') === JSON.stringify(p.o).replace(/"elapsedMs":[\d.e+-]+/, '');
        if (i === t.steps.length) sameAsMonolithic &&= s.o.ok && m.o.ok && JSON.stringify(s.o.result.rows) === JSON.stringify(m.o.result.rows);
      }
      reused.push(chain);
      plain.push(whole);
    }
    const mm = Math.min(...mono);
    const rm = Math.min(...reused);
    const pm = Math.min(...plain);
    queries.push({ steps: t.steps.length + 1, monolithicMs: round(mm), reusedMs: round(rm), plainMs: round(pm), reusedRatio: round(rm / mm), plainRatio: round(pm / mm), sameAsPlainSteps, sameAsMonolithic });
  }
  e.close();
  const sum = (k: 'monolithicMs' | 'reusedMs' | 'plainMs') => queries.reduce((a, q) => a + q[k], 0);
  return { rows: 1_000_000, queries, reusedOverMonolithic: round(sum('reusedMs') / sum('monolithicMs')), plainOverMonolithic: round(sum('plainMs') / sum('monolithicMs')) };
}

function round(x: number, digits = 2): number {
  return Number(x.toFixed(digits));
}

export interface OpenTiming {
  file: string;
  bytes: number;
  /** From choosing the file to the schema shown (db-status says read-only), or null when it did not open. */
  openMs: number | null;
  /** The worker's part: reading the file and opening it in sql.js (integrity check included). */
  engineMs: number | null;
  /** The message the studio showed when it could not open the file. */
  error?: string;
}

/** Opening generated databases in sql.js in Node (bytes -> engine -> schema), once each. */
export async function nodeOpenTimes(paths: string[]): Promise<OpenTiming[]> {
  const SQL = await sqlJs();
  const out: OpenTiming[] = [];
  for (const path of paths) {
    const bytes = new Uint8Array(readFileSync(path));
    const t0 = performance.now();
    const e = new SqlJsEngine(SQL);
    e.open(bytes);
    const engineMs = performance.now() - t0;
    e.schema();
    out.push({ file: basename(path), bytes: bytes.byteLength, openMs: round(performance.now() - t0), engineMs: round(engineMs) });
    e.close();
  }
  return out;
}

export interface BrowserBigReport {
  open: OpenTiming[];
  /** Rendering the schema panel of the 2,000-table database: from its render to the frame after it is painted. */
  schemaPanelMs: number | null;
  /** Table rows in the page after that render (the list is virtualized). */
  schemaRowsInPage: number;
}

/** In headless Chromium against `vite preview`: the studio opens each file through its file input. */
export async function browserBig(paths: string[], widePath: string): Promise<BrowserBigReport> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', '4174', '--strictPort'], { stdio: 'ignore', detached: true });
  try {
    await waitFor('http://127.0.0.1:4174/', 30_000);
    const browser = await chromium.launch({
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto('http://127.0.0.1:4174/?backend=wasm');
      await page.getByTestId('db-status').filter({ hasText: 'read-only' }).waitFor({ timeout: 60_000 });
      const open: OpenTiming[] = [];
      for (const path of [widePath, ...paths]) open.push(await openInPage(page, path));
      // The wide database was opened first: its panel render is the first mark pair after the page's own sample.
      const schemaPanelMs = await page.evaluate(() => {
        const r = performance.getEntriesByName('cocte:schema-render');
        const p = performance.getEntriesByName('cocte:schema-painted');
        return r.length >= 2 && p.length >= 2 ? p[1]!.startTime - r[1]!.startTime : null;
      });
      await openInPage(page, widePath);
      const schemaRowsInPage = await page.locator('[data-testid^=table-]').count();
      return { open, schemaPanelMs: schemaPanelMs === null ? null : round(schemaPanelMs), schemaRowsInPage };
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
}

async function openInPage(page: Page, path: string): Promise<OpenTiming> {
  const file = basename(path);
  const bytes = statSync(path).size;
  await page.evaluate(() => document.querySelector('.error-banner button')?.dispatchEvent(new MouseEvent('click', { bubbles: true })));
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles(path);
  const status = page.getByTestId('db-status');
  const done = status.filter({ hasText: new RegExp(`^${file.replace(/\./g, '\\.')} · .*read-only`) });
  const failed = page.locator('.error-banner').filter({ hasText: file });
  await Promise.race([done.waitFor({ timeout: 600_000 }), failed.waitFor({ timeout: 600_000 })]);
  const openMs = Date.now() - t0;
  if (await failed.count()) return { file, bytes, openMs: null, engineMs: null, error: (await failed.innerText()).replace(/\s*×\s*$/, '') };
  const engineMs = Number(/opened in (\d+) ms/.exec(await status.innerText())?.[1] ?? NaN);
  return { file, bytes, openMs, engineMs: Number.isFinite(engineMs) ? engineMs : null };
}

/** `npm run bench` part: the ratio in Node, opening 200 MB and 1 GB in Node and in Chromium, the 2,000-table panel. */
export async function bigBench(browser: boolean): Promise<{ report: Record<string, unknown>; line: string }> {
  const ratio = await stepRatio();
  const wide = await wideDb(2000);
  const sized = [await sizedDb(200), await sizedDb(1000)];
  const node = await nodeOpenTimes(sized);
  // Past Chromium's largest buffer (2 GiB): the studio's message is the result.
  const chromium = browser ? await browserBig([...sized, sparseDbFile(2.2e9)], wide) : null;
  const mb = (b: number) => `${Math.round(b / 1e6)} MB`;
  const opened = (o: OpenTiming) => (o.openMs === null ? `${mb(o.bytes)} not opened: "${o.error}"` : `${mb(o.bytes)} ${(o.openMs / 1000).toFixed(1)} s`);
  const line =
    `big: chain steps / monolithic on a 1M-row database ${ratio.reusedOverMonolithic}x reusing steps (each prefix whole: ${ratio.plainOverMonolithic}x); ` +
    `open in Node ${node.map(opened).join(', ')}` +
    (chromium ? `; open in Chromium (file input to schema shown) ${chromium.open.map(opened).join(', ')}; 2,000-table schema panel ${chromium.schemaPanelMs} ms (${chromium.schemaRowsInPage} table rows in the page)` : '');
  return { report: { stepRatio: ratio, openNode: node, ...(chromium ? { chromium } : {}) }, line };
}
