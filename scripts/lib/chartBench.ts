/**
 * Chart and bundle measurements (issue 25): the JavaScript and CSS the studio's page loads first, and in headless
 * Chromium against `vite preview` (run `npx vite build` first) the code a first chart loads and the time to draw a
 * chart of 10,000 rows as a line, bars and a scatter (the chart panel's own `data-render-ms`: Plot drawing the
 * chart and the next frame, median of 5 draws each).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { waitFor } from './benchBrowser';
import { median } from './stats';

export interface Size {
  bytes: number;
  gzip: number;
}

export interface ChartBench {
  /** What index.html loads before the studio runs: its module script, the modules it preloads, the stylesheets. */
  firstLoad: { js: Size; css: Size; files: string[] };
  /** The chunks the first chart fetched (Plot, d3, the drawing code). */
  chartChunks: Size & { files: string[] };
  /** Click on Chart to the drawn chart of 10,000 rows, with the chart code's download: ms. */
  firstChartMs: number;
  /** Median draw time per chart type, 10,000 rows each (bars draw the first 60). */
  drawMs: Record<string, number>;
  rows: number;
}

const PORT = 4175;
/** 10,000 rows: a date, a number to plot, a running number and a label; the proposal is a line over the dates. */
const CHAIN = `WITH n(i) AS (
  SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000
)
SELECT date('2000-01-01', '+' || i || ' days') AS day, (i * 7919) % 1000 AS y, i, 'label ' || (i % 97) AS label FROM n`;

function size(files: string[], dist: string): Size {
  const bufs = files.map((f) => readFileSync(join(dist, f)));
  return { bytes: bufs.reduce((a, b) => a + b.byteLength, 0), gzip: bufs.reduce((a, b) => a + gzipSync(b, { level: 9 }).byteLength, 0) };
}

/** The first load of the built page (`dist/index.html`): its scripts, module preloads and stylesheets. */
export function firstLoadSize(dist = 'dist'): ChartBench['firstLoad'] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="\/([^"]+)"/g)].map((m) => m[1]!);
  const js = refs.filter((f) => f.endsWith('.js'));
  const css = refs.filter((f) => f.endsWith('.css'));
  return { js: size(js, dist), css: size(css, dist), files: refs };
}

export async function chartBench(dist = 'dist'): Promise<ChartBench> {
  const firstLoad = firstLoadSize(dist);
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
  try {
    await waitFor(`http://127.0.0.1:${PORT}/`, 30_000);
    const browser = await chromium.launch({ executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined, args: ['--no-sandbox', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`http://127.0.0.1:${PORT}/?sample=concert_singer`);
      await page.getByTestId('db-status').filter({ hasText: 'read-only' }).waitFor({ timeout: 60_000 });
      await page.evaluate((t) => (window as unknown as { __cocteEditor: { setValue(v: string): void } }).__cocteEditor.setValue(t), CHAIN);
      const final = page.locator('[data-testid=step-card][data-step=final][data-state=ok]');
      await final.getByTestId('row-count').filter({ hasText: '10,000' }).waitFor({ timeout: 60_000 });
      const fetched: string[] = [];
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (path.endsWith('.js')) fetched.push(path.slice(1));
      });
      const t0 = Date.now();
      await final.getByRole('button', { name: 'Chart' }).click();
      const host = final.getByTestId('chart');
      await final.locator('[data-testid=chart][data-renders="1"] svg').waitFor({ timeout: 60_000 });
      const firstChartMs = Date.now() - t0;
      const drawMs: Record<string, number[]> = { line: [], bar: [], scatter: [] };
      let n = 1;
      for (let rep = 0; rep < 5; rep++)
        for (const type of ['bar', 'scatter', 'line']) {
          await final.getByLabel('Chart type').selectOption(type);
          n++;
          await final.locator(`[data-testid=chart][data-renders="${n}"]`).waitFor({ timeout: 60_000 });
          drawMs[type]!.push(Number(await host.getAttribute('data-render-ms')));
        }
      return {
        firstLoad,
        chartChunks: { ...size(fetched, dist), files: fetched },
        firstChartMs,
        drawMs: Object.fromEntries(Object.entries(drawMs).map(([k, v]) => [k, Math.round(median(v) * 10) / 10])),
        rows: 10_000,
      };
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
}

/** One line of the bench's output. */
export function chartSummary(r: ChartBench): string {
  const kb = (s: Size) => `${(s.bytes / 1024).toFixed(0)} kB (${(s.gzip / 1024).toFixed(0)} kB gzip)`;
  return `first load JS ${kb(r.firstLoad.js)}, CSS ${kb(r.firstLoad.css)}; chart code on demand ${kb(r.chartChunks)}; first chart of ${r.rows.toLocaleString('en-US')} rows ${r.firstChartMs} ms; draw ${Object.entries(r.drawMs).map(([k, v]) => `${k} ${v} ms`).join(', ')}`;
}
