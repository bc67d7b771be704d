/**
 * `npm run bench`'s brought-model part (issue 23): bench-hub.html in headless Chromium (software WebGPU enabled, as
 * in playwright.config.ts) against `vite preview` (cross-origin isolated), with the Hub's URLs routed to the e2e
 * fixture models (e2e/hubFixture.ts). Per fixture and backend (WASM on 1 thread and on every core, WebGPU): download,
 * session load time, prefill and decode tokens/s. Alone: `npm run bench -- --hub-only` (writes bench/hub.json).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { BrowserContext } from '@playwright/test';
import { chromium } from 'playwright-core';
import { routeHub } from '../../e2e/hubFixture';
import { waitFor } from './benchBrowser';

export interface HubBenchModel {
  id: string;
  dtype: string;
  prompt?: string;
  cacheType?: string;
  promptTokens?: number;
  downloadMs?: number;
  loadMs?: number;
  prefillMs?: number;
  tokensPerSecond?: number;
  error?: string;
  skipped?: string;
}

export interface HubBenchRun {
  backend: string;
  threads: number;
  crossOriginIsolated: boolean;
  models: HubBenchModel[];
  error?: string;
}

const PORT = 4175;

export async function hubBench(): Promise<{ runs: HubBenchRun[]; line: string }> {
  const cores = availableParallelism();
  const configs = [
    { backend: 'wasm', threads: 1 },
    ...(cores > 1 ? [{ backend: 'wasm', threads: cores }] : []),
    { backend: 'webgpu', threads: 1 },
  ];
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
  const runs: HubBenchRun[] = [];
  try {
    await waitFor(`http://127.0.0.1:${PORT}/bench-hub.html`, 30_000);
    const browser = await chromium.launch({
      executablePath: existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu'],
    });
    try {
      for (const c of configs) {
        const context = await browser.newContext();
        await routeHub(context as unknown as BrowserContext);
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${PORT}/bench-hub.html?backend=${c.backend}&threads=${c.threads}`);
        await page.waitForFunction(() => (window as unknown as { __bench?: unknown }).__bench, null, { timeout: 600_000 });
        runs.push((await page.evaluate(() => (window as unknown as { __bench: unknown }).__bench)) as HubBenchRun);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
  const cell = (m: HubBenchModel) => (m.error ? `error: ${m.error.slice(0, 80)}` : m.skipped ? `not run (${m.skipped})` : `${m.tokensPerSecond} tok/s, load ${m.loadMs} ms`);
  const parts = runs.map((r) => `${r.backend === 'webgpu' ? 'WebGPU (software)' : `WASM ${r.threads} thread${r.threads === 1 ? '' : 's'}`}: ${r.error ?? r.models.map((m) => `${m.id} ${m.dtype} ${cell(m)}`).join('; ')}`);
  return { runs, line: `brought models (Chromium): ${parts.join(' | ')}` };
}
