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
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', '4174', '--strictPort'], { stdio: 'ignore', detached: true });
  try {
    await waitFor('http://127.0.0.1:4174/bench.html', 30_000);
    const browser = await chromium.launch({
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu'],
    });
    try {
      const page = await browser.newPage();
      await page.goto('http://127.0.0.1:4174/bench.html');
      await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, null, { timeout: 600_000 });
      return (await page.evaluate(() => (window as unknown as { __bench: unknown }).__bench)) as BrowserBench;
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
}

async function waitFor(url: string, ms: number): Promise<void> {
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
