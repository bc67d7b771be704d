/** Runs bench.html (built by `vite build`) in headless Chromium against `vite preview` and returns its numbers. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export interface BrowserBench {
  open: Record<string, number>;
  roundTripMedianMs: number;
  roundTripP95Ms: number;
  policy: Record<string, unknown>;
}

export async function benchBrowser(): Promise<BrowserBench> {
  return (await benchPage('bench.html')) as BrowserBench;
}

/** Opens `path` (a page that sets `window.__bench` when done) in headless Chromium against `vite preview`. */
export async function benchPage(path: string): Promise<unknown> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', '4174', '--strictPort'], { stdio: 'ignore', detached: true });
  try {
    await waitFor('http://127.0.0.1:4174/bench.html', 30_000);
    const browser = await chromium.launch({
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      // BENCH_CHROMIUM_FLAGS adds flags (e.g. V8's through --js-flags=...) to compare builds and settings.
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu', ...(process.env.BENCH_CHROMIUM_FLAGS?.split(' ').filter(Boolean) ?? [])],
    });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:4174/${path}`);
      await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, null, { timeout: 600_000 });
      return await page.evaluate(() => (window as unknown as { __bench: unknown }).__bench);
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
}

export async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up; run \`npx vite build\` first`);
}
