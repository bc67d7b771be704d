/**
 * The studio's promises under hostile input and faults, in Chromium against the built app (issue 24, part 2):
 * nothing leaves the machine (every request of a whole session, charts, history and share links included, and the
 * Content-Security-Policy that says the same), hostile names and values stay text (in charts and their exports,
 * History and share links too), the model worker's faults are survived without a reload, and memory stays bounded
 * over many questions. Runaway queries: e2e/safety.spec.ts. `npm run fuzz` covers the same promises in Node.
 *
 * RELIABILITY_FULL=1 runs the memory test at full size (40 questions with best-of-8, about 3 minutes here); CI runs
 * 5 questions with best-of-4 to keep this spec near a minute.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type CDPSession, type ConsoleMessage, type Page, type Request, type Worker } from '@playwright/test';
import initSqlJs from 'sql.js';
import config from '../playwright.config';
import { openStudio, setEditorText, SHOTS } from './helpers';

const ORIGIN = new URL(config.use!.baseURL!).origin;
const FULL = process.env.RELIABILITY_FULL === '1';

// measureUserAgentSpecificMemory (the tab's memory: the page, the workers, their wasm) answers at once instead of
// at the next garbage collection (up to 20 s later).
test.use({ launchOptions: { ...config.use!.launchOptions, args: [...(config.use!.launchOptions!.args ?? []), '--enable-blink-features=ForceEagerMeasureMemory'] } });

/**
 * Records every request of the page and its workers (context and page events both: a dedicated worker's fetches are
 * reported on the page, a service worker's on the context), web sockets, and every CSP violation: the document's
 * (console and `securitypolicyviolation`) and each worker's (a listener installed when the worker starts; a worker's
 * violations reach no console on their own).
 */
async function guard(page: Page) {
  const urls = new Set<string>();
  const record = (r: Request) => void urls.add(r.url());
  page.on('request', record);
  page.context().on('request', record);
  page.on('websocket', (ws) => void urls.add(ws.url()));
  /** Requests the browser refused to send (the CSP blocked them): they are in `urls` too. */
  const blocked = new Set<string>();
  page.on('requestfailed', (r) => r.failure()?.errorText === 'csp' && blocked.add(r.url()));
  const violations: string[] = [];
  /** Dialogs (alert, confirm, prompt) any page opened: the studio opens none, so one would be injected script's. */
  const dialogs: string[] = [];
  /** Watches a page of the context for CSP violations and dialogs (the first page here, later ones by the test). */
  const watch = async (p: Page) => {
    p.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    p.on('console', (m: ConsoleMessage) => {
      if (/Content Security Policy|CSP violation/i.test(m.text())) violations.push(m.text());
    });
    await p.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
    );
    p.on('worker', (w) => {
      w.evaluate(() => self.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation in a worker: ${e.violatedDirective} ${e.blockedURI}`))).catch(() => undefined);
    });
  };
  await watch(page);
  /** Requests that left the page's origin (data: and blob: URLs never leave the machine). */
  const foreign = () => [...urls].filter((u) => !u.startsWith('data:') && new URL(u).origin !== ORIGIN);
  return { urls, blocked, violations, dialogs, watch, foreign };
}

/** The state a share link carries, read from its `#share=` fragment (base64url JSON). */
function sharedState(link: string): { v: number; q?: string; sql: string; db?: Record<string, unknown> } {
  return JSON.parse(Buffer.from(link.split('#share=')[1]!, 'base64url').toString('utf8'));
}

/** What a document holds that would run code or came from markup in data, and whether `window.__pwned` got set. */
async function injected(page: Page) {
  return page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    handlers: document.querySelectorAll('[onerror], [onload], iframe, svg[onload], a[href^="javascript:"]').length,
    inlineScripts: document.querySelectorAll('script:not([src])').length,
  }));
}

/** The model worker now running (the page replaces it after a fault). */
function modelWorkers(page: Page): () => Worker {
  const live: Worker[] = [];
  page.on('worker', (w) => {
    if (!w.url().includes('model.worker')) return;
    live.push(w);
    w.on('close', () => live.splice(live.indexOf(w), 1));
  });
  return () => {
    expect(live.length, 'one model worker').toBe(1);
    return live[0]!;
  };
}

const editorText = (page: Page) => page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());

/** Asks and waits until Ask is back, with every step card run. */
async function ask(page: Page, question: string, opts: { strategy?: 'greedy' | 'vote' | 'bon'; n?: number } = {}): Promise<void> {
  await page.getByLabel('Strategy').selectOption(opts.strategy ?? 'greedy');
  if (opts.n) await page.getByLabel('Number of candidates (N)').fill(String(opts.n));
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
  if (opts.strategy && opts.strategy !== 'greedy') await expect(page.getByTestId('candidate')).toHaveCount(opts.n ?? 8, { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 120_000 });
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
}

/** The CSP's directives: name -> sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name!, sources]));
}

test('a whole session talks to its own origin only (and the URL the user typed), under a CSP with no violation', async ({ page }) => {
  test.setTimeout(180_000);
  const g = await guard(page);
  const workerCsp: string[] = [];
  page.on('response', (r) => {
    if (/\/assets\/[^/]*worker[^/]*\.js$/.test(r.url())) workerCsp.push(r.headers()['content-security-policy'] ?? '(none)');
  });
  // A database on another host, typed by the user (served here by the test: no network in CI).
  const typed = 'https://data.example.org/pets_1.sqlite';
  await page.route(typed, (route) => route.fulfill({ body: readFileSync('public/samples/pets_1.sqlite'), headers: { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'application/octet-stream' } }));

  const res = await page.goto('/?sample=concert_singer&backend=wasm');
  await expect(page.getByTestId('db-status')).toContainText('read-only');

  // The policy: in the page (a <meta> tag any static host serves) and in the preview server's headers.
  const meta = (await page.locator('meta[http-equiv=Content-Security-Policy]').getAttribute('content'))!;
  expect(res!.headers()['content-security-policy']).toBe(meta);
  const csp = directives(meta);
  expect(csp.get('default-src')).toEqual(["'self'"]);
  expect(csp.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(csp.get('worker-src')).toEqual(["'self'"]);
  expect(csp.get('connect-src')).toEqual(["'self'", 'data:', 'https:', 'http:']);
  expect(csp.get('object-src')).toEqual(["'none'"]);
  for (const [name, sources] of csp) for (const s of sources) expect(`${name} ${s}`).toMatch(/ ('self'|'none'|'wasm-unsafe-eval'|'unsafe-inline'|data:|blob:|https:|http:)$/);
  expect(csp.get('style-src')).toContain("'unsafe-inline'");

  // Greedy, then best-of-3 with the PRM.
  await ask(page, 'How many singers do we have?');
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/);
  await ask(page, 'What is the average age of singers from France?', { strategy: 'bon', n: 3 });
  await expect(page.getByTestId('prm-status')).toHaveText('PRM ready');
  await expect(page.getByTestId('chosen-marker')).toHaveCount(1);

  // An edit (re-run and re-scored by the PRM), a table from the schema, the editor's completion list.
  await setEditorText(page, 'WITH\n  s1 AS (\n    SELECT *\n    FROM singer\n    WHERE Age > 30\n  )\nSELECT count(*)\nFROM s1');
  await expect(page.getByTestId('step-prm')).toHaveCount(2, { timeout: 30_000 });
  await expect(page.getByTestId('result-grid')).toContainText('4');

  // A chart of a step (Observable Plot, loaded on demand from the studio's own assets), exported as PNG and SVG.
  const s1 = page.locator('[data-testid=step-card][data-step=s1][data-state=ok]').filter({ hasText: 'Age > 30' });
  await s1.getByRole('button', { name: 'Chart', exact: true }).click();
  const chart = s1.getByTestId('chart-panel');
  await expect(chart.locator('[data-testid=chart] svg').first()).toBeVisible();
  await expect(chart.getByTestId('chart')).not.toHaveAttribute('data-renders', '0');
  expect([...g.urls].some((u) => u.startsWith(`${ORIGIN}/assets/renderChart`))).toBe(true);
  const [png] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'PNG', exact: true }).click()]);
  expect(png.suggestedFilename()).toMatch(/^s1-\w+\.png$/);
  expect(readFileSync((await png.path())!).subarray(1, 4).toString()).toBe('PNG');
  const [svg] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'SVG', exact: true }).click()]);
  expect(readFileSync((await svg.path())!, 'utf8')).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  await expect(chart.getByRole('alert')).toHaveCount(0);

  // History (IndexedDB) with both answers and the edit, and Recent; then a share link (the state in its fragment).
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const history = page.getByTestId('history-panel');
  await expect.poll(() => history.getByTestId('history-entry').filter({ hasText: 'model answer' }).count()).toBeGreaterThanOrEqual(2);
  await expect(history.getByTestId('history-entry').filter({ hasText: 'edited' })).not.toHaveCount(0);
  await expect(history).toContainText('concert_singer');
  await page.keyboard.press('Escape');
  await expect(history).toHaveCount(0);
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(new URL(link).origin).toBe(ORIGIN);
  expect(sharedState(link)).toMatchObject({ v: 1, db: { kind: 'sample', id: 'concert_singer' } });
  expect(sharedState(link).sql).toContain('WHERE Age > 30');
  await page.getByRole('dialog', { name: 'Share link' }).getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.getByTestId('share-link')).toHaveCount(0);

  await page.getByTestId('table-stadium').getByRole('button').click();
  await page.getByRole('button', { name: 'Query stadium' }).click();
  await expect(page.getByTestId('result-count')).toContainText('9 rows');
  await page.locator('.monaco-editor').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget')).toContainText('Capacity');
  await page.keyboard.press('Escape');

  // Export the result and a step.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(readFileSync((await csv.path())!, 'utf8')).toContain('Stark');
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('step-card').first().getByRole('button', { name: 'JSON' }).click()]);
  expect(JSON.parse(readFileSync((await json.path())!, 'utf8')).length).toBeGreaterThan(0);

  // The one foreign request allowed: the database URL the user typed.
  await page.getByLabel('Database URL').fill(typed);
  await page.getByRole('button', { name: 'Open URL' }).click();
  await expect(page.getByTestId('db-status')).toContainText('pets_1.sqlite');

  // The model worker's own policy allows no foreign connection at all (a <meta> tag does not reach workers).
  expect(workerCsp.length).toBeGreaterThanOrEqual(2);
  for (const w of workerCsp) expect(directives(w).get('connect-src')).toEqual(["'self'", 'data:']);

  expect(g.foreign()).toEqual([typed]);
  expect(g.violations).toEqual([]);
  expect(g.dialogs).toEqual([]);
  expect(g.urls.size).toBeGreaterThan(15);
  test.info().annotations.push({ type: 'requests', description: `${g.urls.size} distinct URLs, ${g.foreign().length} foreign (typed by the user)` });
});

test('the CSP blocks what the studio never does: foreign images, inline handlers, eval, a worker fetching elsewhere', async ({ page }) => {
  const g = await guard(page);
  const sqlWorker = new Promise<Worker>((resolve) => page.on('worker', (w) => w.url().includes('sqlEngine') && resolve(w)));
  await openStudio(page);
  const outcome = await page.evaluate(async () => {
    const w = window as unknown as { __pwned?: number };
    document.body.insertAdjacentHTML('beforeend', '<img src="https://tracker.example.com/p.gif" onerror="window.__pwned = 1">');
    // From a timer: code Playwright evaluates directly may build functions from strings whatever the policy says.
    const evaluated = await new Promise<string>((resolve) =>
      setTimeout(() => {
        try {
          resolve(String(new Function('return "ran"')()));
        } catch (e) {
          resolve((e as Error).name);
        }
      }, 300),
    );
    return { pwned: w.__pwned ?? null, evaluated };
  });
  expect(outcome).toEqual({ pwned: null, evaluated: 'EvalError' });
  const fetched = await (await sqlWorker).evaluate(() => fetch('https://tracker.example.com/x').then(() => 'fetched', (e: Error) => e.name));
  expect(fetched).toBe('TypeError');
  const reported = () => g.violations.join('\n');
  await expect.poll(reported).toMatch(/CSP violation: img-src https:\/\/tracker\.example\.com/);
  await expect.poll(reported).toMatch(/CSP violation: script-src-attr inline/);
  await expect.poll(reported).toMatch(/CSP violation: script-src eval/);
  await expect.poll(reported).toMatch(/CSP violation in a worker: connect-src https:\/\/tracker\.example\.com/);
  // The image was refused before it was sent; the worker's fetch never became a request.
  expect(g.foreign()).toEqual(['https://tracker.example.com/p.gif']);
  expect([...g.blocked]).toEqual(['https://tracker.example.com/p.gif']);
});

// ---------------------------------------------------------------------------------------------------------------

const XSS = ['<img src=x onerror=window.__pwned=1>', '<script>window.__pwned=2</script>', '"><svg onload=window.__pwned=3>'] as const;
const MORE = ['javascript:window.__pwned=4', '<a href="javascript:window.__pwned=5">link</a>', "{{constructor.constructor('window.__pwned=6')()}}", '${window.__pwned=7}', '<iframe srcdoc="<script>parent.__pwned=8</script>">'];
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A database whose table names, column names and values are markup and script. */
async function hostileDatabase(): Promise<Buffer> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`CREATE TABLE ${q(XSS[0])} (id INTEGER PRIMARY KEY, ${q(XSS[1])} TEXT, ${q(XSS[2])} TEXT, note TEXT)`);
  db.run(`CREATE TABLE ${q(XSS[2])} (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES ${q(XSS[0])}(id), ${q(XSS[0])} TEXT)`);
  const cells = [...XSS, ...MORE];
  cells.forEach((v, i) => db.run(`INSERT INTO ${q(XSS[0])} VALUES (?, ?, ?, ?)`, [i + 1, v, cells[(i + 1) % cells.length]!, `row ${i + 1} ${v}`]));
  cells.forEach((v, i) => db.run(`INSERT INTO ${q(XSS[2])} VALUES (?, ?, ?)`, [i + 1, i + 1, v]));
  const bytes = Buffer.from(db.export());
  db.close();
  return bytes;
}

test('hostile table names, column names and values stay text everywhere: schema, editor, cards, grid, candidates, errors, exports, charts, history, share links', async ({ page }) => {
  test.setTimeout(180_000);
  const g = await guard(page);
  await openStudio(page, '?sample=concert_singer&backend=wasm');
  const file = `${XSS[0]}.sqlite`;
  await page.getByTestId('file-input').setInputFiles({ name: file, mimeType: 'application/octet-stream', buffer: await hostileDatabase() });
  await expect(page.getByTestId('db-status')).toContainText(file);

  // Schema: names, row counts, columns and example values as text.
  for (const t of [XSS[0], XSS[2]]) await expect(page.getByTestId(`table-${t}`)).toContainText(t);
  await page.getByTestId(`table-${XSS[0]}`).locator('.table-row').click();
  for (const c of [XSS[1], XSS[2]]) await expect(page.getByTestId(`table-${XSS[0]}`)).toContainText(c);
  await expect(page.getByTestId(`table-${XSS[0]}`).locator('.col-examples').nth(1)).toContainText(XSS[0].slice(0, 15));

  // The schema's Query button writes the quoted name; the grid and the card show the values.
  await page.getByRole('button', { name: `Query ${XSS[0]}` }).click();
  await expect(page.getByTestId('result-count')).toContainText(`${XSS.length + MORE.length} rows`);
  for (const v of [...XSS, ...MORE]) await expect(page.getByTestId('result-grid')).toContainText(v);
  for (const c of [XSS[1], XSS[2]]) await expect(page.getByTestId('result-grid').locator('.grid-header')).toContainText(c);
  await expect(page.getByTestId('step-card').last()).toContainText(XSS[0]);

  // A chain by hand: hostile aliases as column headers in the cards, a join over both tables.
  await setEditorText(
    page,
    `WITH\n  s1 AS (\n    SELECT a.${q(XSS[1])} AS ${q(MORE[1]!)}, b.${q(XSS[0])} AS ${q(XSS[2])}\n    FROM ${q(XSS[0])} AS a\n    JOIN ${q(XSS[2])} AS b ON b.owner = a.id\n  )\nSELECT *\nFROM s1\nWHERE ${q(XSS[2])} LIKE '<%'`,
  );
  await expect(page.getByTestId('step-card')).toHaveCount(2);
  await expect(page.getByTestId('step-card').first().locator('table')).toContainText(MORE[1]!);
  await expect(page.getByTestId('result-grid')).toContainText(XSS[1]);
  await expect(page.getByTestId('step-card').first().locator('.step-sql')).toContainText(q(MORE[1]!));

  // Monaco's completion list.
  await page.locator('.monaco-editor').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' ');
  await page.keyboard.press('Control+Space');
  await expect(page.locator('.suggest-widget')).toContainText(XSS[0]);
  await page.keyboard.press('Escape');

  // Errors that quote a name: a missing table, a bad file with a hostile name.
  await setEditorText(page, `SELECT * FROM ${q('<img src=y onerror=window.__pwned=9>')}`);
  await expect(page.getByTestId('step-error').last()).toContainText('no such table: <img src=y onerror=window.__pwned=9>');
  await page.getByTestId('file-input').setInputFiles({ name: `${XSS[2]}.sqlite`, mimeType: 'application/octet-stream', buffer: Buffer.from('<svg onload=window.__pwned=10>'.repeat(50)) });
  await expect(page.locator('.error-banner')).toContainText(`Could not open ${XSS[2]}.sqlite`);
  await expect(page.locator('.error-banner')).toContainText(`${file} is still open`);

  // Exports carry the values unchanged.
  await page.getByRole('button', { name: `Query ${XSS[0]}` }).click();
  await expect(page.getByTestId('result-count')).toContainText('rows');
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csvText = readFileSync((await csv.path())!, 'utf8');
  for (const v of [XSS[0], XSS[1], MORE[0]!]) expect(csvText).toContain(v);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const rows = JSON.parse(readFileSync((await json.path())!, 'utf8')) as Record<string, unknown>[];
  expect(rows.map((r) => r[XSS[1]])).toEqual([...XSS, ...MORE]);

  // A question with markup, answered by best-of-3 over these names: the candidates' chains quote them.
  await ask(page, `${XSS[0]} How many rows are there?`, { strategy: 'bon', n: 3 });
  const titles = await page.getByTestId('candidate').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  expect(titles.join('\n')).toMatch(/<img src=x onerror|"><svg onload/);
  await expect(page.getByTestId('step-card').last()).not.toHaveAttribute('data-state', 'pending');
  await page.screenshot({ path: `${SHOTS}/08-hostile-names.png` });
  const question = `${XSS[0]} How many rows are there?`;

  // A chart of hostile values: bars whose categories are the cells, axis titles that are the hostile column names.
  // Plot writes them as text: tick labels (cut to 18 characters, as renderChart.ts does), axis labels, the tip.
  const cells = [...XSS, ...MORE];
  const chartSql = `SELECT ${q(XSS[1])} AS ${q(XSS[1])}, id * 10 AS ${q(XSS[2])}\nFROM ${q(XSS[0])}`;
  await setEditorText(page, chartSql);
  const final = page.locator('[data-testid=step-card][data-step=final][data-state=ok]').filter({ hasText: 'id * 10 AS' });
  await expect(final.getByTestId('row-count')).toHaveText(String(cells.length));
  await final.getByRole('button', { name: 'Chart', exact: true }).click();
  const panel = final.getByTestId('chart-panel');
  await expect(panel).toHaveAttribute('data-chart-type', 'bar');
  await expect(panel.locator('[data-testid=chart] svg g[aria-label="bar"] rect')).toHaveCount(cells.length);
  const tick = (v: string) => (v.length > 18 ? `${v.slice(0, 17)}…` : v);
  await expect(panel.locator('[data-testid=chart] svg [aria-label="x-axis tick label"] text')).toHaveText(cells.map(tick));
  await expect(panel.locator('[data-testid=chart] svg [aria-label="x-axis label"]')).toHaveText(XSS[1]);
  await expect(panel.locator('[data-testid=chart] svg [aria-label="y-axis label"]')).toContainText(XSS[2]);
  await expect(panel.getByLabel('Chart x axis')).toContainText(XSS[1]);
  await panel.locator('[data-testid=chart] svg g[aria-label="bar"] rect').first().hover();
  await expect(panel.locator('[data-testid=chart] svg [aria-label="tip"]')).toContainText('<img src=x');
  await page.screenshot({ path: `${SHOTS}/08-hostile-chart.png` });

  // The SVG export: the values are escaped text in the file, and read back they are text again, no element.
  const [svgFile] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'SVG', exact: true }).click()]);
  const svgText = readFileSync((await svgFile.path())!, 'utf8');
  expect(svgText).toContain('&lt;script&gt;window.__pwned=2&lt;/script&gt;');
  expect(svgText).toContain('&lt;img src=x onerro…');
  expect(svgText).not.toMatch(/<(script|img|iframe|a|foreignObject)[\s>]|<svg onload/i);
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      elements: doc.querySelectorAll('script, img, iframe, foreignObject, a, [onload], [onerror], [href]').length,
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent ?? ''),
    };
  }, svgText);
  expect(parsed.error).toBeNull();
  expect(parsed.elements).toBe(0);
  for (const label of cells.map(tick)) expect(parsed.texts).toContain(label);
  expect(parsed.texts).toContain(XSS[1]);
  expect(parsed.texts.some((t) => t.includes(XSS[2]))).toBe(true);
  // The PNG export draws that SVG through an <img>: it decodes, so the serialized markup is well formed.
  const [pngFile] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'PNG', exact: true }).click()]);
  expect(readFileSync((await pngFile.path())!).subarray(1, 4).toString()).toBe('PNG');
  await expect(panel.getByRole('alert')).toHaveCount(0);

  // A share link: the popover names the hostile file as text; the link carries the question and chain unchanged, and
  // opened in another tab it shows them (the file asked for by its hostile name) without running anything.
  await page.getByRole('button', { name: 'Share', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Share link' })).toContainText(`asked for ${file}:`);
  const link = await page.getByTestId('share-link').inputValue();
  expect(new URL(link).origin).toBe(ORIGIN);
  expect(sharedState(link)).toMatchObject({ v: 1, q: question, sql: chartSql, db: { kind: 'file', name: file } });
  const other = await page.context().newPage();
  await g.watch(other);
  await other.goto(link);
  await expect(other.getByTestId('share-awaiting')).toContainText(file);
  await expect(other.getByLabel('Question')).toHaveValue(question);
  await expect.poll(() => editorText(other)).toBe(chartSql);
  expect(await injected(other)).toEqual({ pwned: null, handlers: 0, inlineScripts: 0 });
  await other.close();
  await page.getByRole('dialog', { name: 'Share link' }).getByRole('button', { name: 'Close', exact: true }).click();

  // History (a run of edits within a minute keeps one entry, the last): a chain whose error quotes a hostile name
  // takes the chart's place. The entries show the hostile question, that chain's last line and its error, the file
  // in Recent; a search for the name finds that entry alone.
  const missing = '<img src=z onerror=window.__pwned=11>';
  await setEditorText(page, `SELECT *\nFROM ${q(missing)}`);
  await expect(page.getByTestId('step-error').last()).toContainText(`no such table: ${missing}`);
  await page.getByRole('button', { name: 'History', exact: true }).click();
  const history = page.getByTestId('history-panel');
  const entries = history.getByTestId('history-entry');
  await expect(history.getByRole('heading', { name: /^History/ })).toHaveText(`History · ${file}`);
  await expect(entries.filter({ hasText: 'model answer' }).filter({ hasText: question })).toHaveCount(1);
  const failedEntry = entries.filter({ hasText: `no such table: ${missing}` });
  await expect(failedEntry).toHaveCount(1);
  await expect(failedEntry).toContainText(question);
  await expect(failedEntry.locator('.history-sql')).toHaveText(`FROM ${q(missing)}`);
  await expect(history.getByTestId('recent-entry').filter({ hasText: file })).toHaveCount(1);
  await history.getByLabel('Search history').fill('onerror=window.__pwned=11');
  await expect(entries).toHaveCount(1);
  await expect(entries).toContainText(`no such table: ${missing}`);
  await page.keyboard.press('Escape');
  await expect(history).toHaveCount(0);

  // Nothing ran, no element came from the data, and no markup even tried (the CSP would have reported it).
  expect(await injected(page)).toEqual({ pwned: null, handlers: 0, inlineScripts: 0 });
  expect(g.dialogs).toEqual([]);
  expect(g.violations).toEqual([]);
  expect(g.foreign()).toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------------

test('model files missing or damaged, the model worker killed (with and without Stop) or crashing mid-answer: a clear message, no reload, the next question answers', async ({ page }) => {
  test.setTimeout(150_000);
  const g = await guard(page);
  const worker = modelWorkers(page);
  const policySize = readFileSync('models/policy/onnx/model_quantized.onnx').byteLength;
  let fault: 'missing' | 'damaged' | 'none' = 'missing';
  // The embedded models' ONNX files are hashed assets: the policy's is the one with its size. The model worker's
  // requests are routed by the context (page.route sees the page's own only).
  await page.context().route(/\/assets\/model_quantized-[^/]+\.onnx$/, async (route) => {
    const res = await route.fetch();
    const size = route.request().method() === 'HEAD' ? Number(res.headers()['content-length']) : (await res.body()).byteLength;
    if (fault === 'none' || size !== policySize) return route.fulfill({ response: res });
    if (fault === 'missing') return route.fulfill({ status: 404, body: 'Not found' });
    const body = Buffer.from(await res.body()).subarray(0, 3_000_000);
    for (let i = 0; i < body.length; i += 997) body[i] = body[i]! ^ 0xa5;
    return route.fulfill({ response: res, body });
  });
  // Hang detection after 3 s of silence (30 s by default) keeps this test short.
  await openStudio(page, '?sample=concert_singer&backend=wasm&prm=off&modelHangMs=3000');
  const chain = await editorText(page);
  const alert = page.getByTestId('model-status').getByRole('alert');

  /** The question was abandoned: the editor's chain is shown again, run, and SQL still works. */
  const studioStillWorks = async () => {
    await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible();
    await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
    await expect(page.getByTestId('step-card').last()).toHaveAttribute('data-state', 'ok');
    expect(await editorText(page)).toBe(chain);
  };

  await page.getByLabel('Question').fill('How many singers do we have?');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(alert).toHaveText(/^The model file policy model_quantized\.onnx is missing \(HTTP 404\)\. The studio still works without the model; the next question tries to load it again\.$/);
  await studioStillWorks();

  fault = 'damaged';
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(alert).toHaveText(/^The model file policy model_quantized\.onnx is damaged \(.*protobuf.*\)\. The studio still works/);
  await studioStillWorks();

  // A tokenizer that is not JSON (policy and PRM share this file).
  await page.context().route(/\/assets\/tokenizer-[^/]+\.json$/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"model": {"vocab": [1, 2' }));
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(alert).toHaveText(/^The model file policy tokenizer\.json is damaged: it is not valid JSON \(.+\)\. The studio still works/);
  await studioStillWorks();

  // The files are back. Each fault below strikes mid-answer (a Vote@16 with its first chain written); the question
  // after it loads the embedded model again, and is the next one to be struck.
  fault = 'none';
  await page.context().unroute(/\/assets\/tokenizer-[^/]+\.json$/);
  const midAnswer = async () => {
    await page.getByLabel('Strategy').selectOption('vote');
    await page.getByLabel('Number of candidates (N)').fill('16');
    await page.getByLabel('Question').fill('What are the names and countries of singers older than the average age?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect(page.getByTestId('candidate').first()).toBeVisible();
    await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
    await expect(alert).toHaveCount(0);
    await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/);
  };
  /** The question was abandoned, the chain written so far stays listed, the editor's chain is shown again. */
  const abandoned = async () => {
    await studioStillWorks();
    await expect(page.getByTestId('candidate-pending')).toHaveCount(0);
    await expect(page.getByTestId('candidate').first()).toBeVisible();
  };

  // Killed (the worker's thread ends: no error event, only silence), and the user presses Stop: replaced after
  // the Stop grace (5 s, or half the hang threshold).
  await midAnswer();
  await worker().evaluate(() => self.close());
  const stoppedAt = Date.now();
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(alert).toHaveText(/^The model did not stop within 1\.5 s, so it was shut down\. The next question loads it again/, { timeout: 10_000 });
  const stopMs = Date.now() - stoppedAt;
  await abandoned();

  // Killed, and nobody presses Stop: the pings go unanswered.
  await midAnswer();
  await worker().evaluate(() => self.close());
  const killedAt = Date.now();
  await expect(alert).toHaveText(/^The model stopped responding \(nothing for \d+ s\), so it was shut down\. The next question loads it again/, { timeout: 10_000 });
  const hangMs = Date.now() - killedAt;
  await abandoned();

  // Crashes (an uncaught error in the worker).
  await midAnswer();
  await worker().evaluate(() => void setTimeout(() => {
    throw new Error('simulated crash');
  }));
  await expect(alert).toHaveText(/^The model worker crashed while answering \(Uncaught Error: simulated crash\)\. The next question loads it again/);
  await abandoned();

  // And the studio answers again.
  await ask(page, 'How many singers do we have?');
  await expect(alert).toHaveCount(0);
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WASM/);
  expect(await editorText(page)).toMatch(/SELECT/i);
  expect(stopMs).toBeLessThan(1500 + 2000);
  expect(hangMs).toBeLessThan(3000 + 2000);
  test.info().annotations.push({ type: 'recovery', description: `Stop on a dead worker answered in ${stopMs} ms (grace 1500 ms); a silent death was noticed in ${hangMs} ms (threshold 3000 ms)` });
  expect(g.violations).toEqual([]);
});

// ---------------------------------------------------------------------------------------------------------------

const COUNTRIES = ['France', 'Netherlands', 'United States', 'Spain', 'Germany'];
/** 40 questions over concert_singer (8 kinds × 5 values). */
const QUESTIONS = [0, 1, 2, 3, 4].flatMap((k) => [
  `How many singers are from ${COUNTRIES[k]}?`,
  `Show the names of singers older than ${25 + 5 * k}.`,
  `How many concerts were held in ${2013 + k}?`,
  `What are the names of stadiums with a capacity above ${2000 * (k + 1)}?`,
  `List the songs of singers younger than ${30 + 4 * k}, ordered by age.`,
  `What is the average age of singers from ${COUNTRIES[k]}?`,
  `Which stadiums hosted a concert in ${2014 + (k % 2)}?`,
  `Show the name and location of the ${k + 2} stadiums with the highest attendance.`,
]);

interface Heap {
  /** The page's JS heap after a forced GC (CDP Performance.getMetrics JSHeapUsedSize). */
  pageHeap: number;
  /**
   * The part of the page's heap that is data: a heap snapshot's nodes less V8's own code (machine code of optimized
   * functions, bytecode, feedback vectors), which grows as functions get hot and optimized, whatever the studio keeps.
   * Full runs only (a snapshot takes seconds); NaN otherwise.
   */
  pageData: number;
  /** The model worker's JS heap after a forced GC (CDP Runtime.getHeapUsage). */
  workerHeap: number;
  /** The whole tab: page, workers and their wasm memory (performance.measureUserAgentSpecificMemory). */
  tab: number;
  /** DOM nodes and JS event listeners of the page (CDP Memory.getDOMCounters). */
  nodes: number;
  listeners: number;
}

/** A heap snapshot of the page: the bytes of every node but V8's code (node type `code`). */
async function heapData(cdp: CDPSession): Promise<number> {
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }) => void chunks.push(e.chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(chunks.join('')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[] };
  const fields = snap.snapshot.meta.node_fields;
  const [type, size] = [fields.indexOf('type'), fields.indexOf('self_size')];
  const code = snap.snapshot.meta.node_types[0].indexOf('code');
  let bytes = 0;
  for (let i = 0; i < snap.nodes.length; i += fields.length) if (snap.nodes[i + type] !== code) bytes += snap.nodes[i + size]!;
  return bytes;
}

/** Forces GC in the page and in every worker, then reads the heaps. Workers are reached through CDP sessions. */
async function measure(page: Page, cdp: CDPSession, workers: Map<string, string>, call: (s: string, method: string) => Promise<Record<string, number>>, snapshot: boolean): Promise<Heap> {
  for (const s of workers.keys()) await call(s, 'HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const model = [...workers].find(([, url]) => url.includes('model.worker'))![0];
  const counters = await cdp.send('Memory.getDOMCounters');
  const tab = await page.evaluate(async () => (await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory()).bytes);
  return { pageHeap: metrics.find((m) => m.name === 'JSHeapUsedSize')!.value, pageData: snapshot ? await heapData(cdp) : NaN, workerHeap: (await call(model, 'Runtime.getHeapUsage')).usedSize!, tab, nodes: counters.nodes, listeners: counters.jsEventListeners };
}

test(`${FULL ? 40 : 5} questions in a row with best-of-${FULL ? 8 : 4} and an edit between each: memory stays bounded`, async ({ page }) => {
  const questions = FULL ? 40 : 5;
  const n = FULL ? 8 : 4;
  const mid = Math.floor(questions / 2);
  test.setTimeout(FULL ? 900_000 : 120_000);
  await openStudio(page, '?sample=concert_singer&backend=wasm');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heaps: Heap[] = [];
  const times: number[] = [];
  let workers: Map<string, string> | null = null;
  let nextId = 1;
  const waiting = new Map<number, (r: Record<string, number>) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id: number; result: Record<string, number> };
    waiting.get(m.id)?.(m.result);
    waiting.delete(m.id);
  });
  const call = (sessionId: string, method: string) =>
    new Promise<Record<string, number>>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    });

  for (let i = 0; i < questions; i++) {
    const t0 = Date.now();
    await ask(page, QUESTIONS[i]!, { strategy: 'bon', n });
    times.push(Date.now() - t0);
    // An edit between questions: re-run, then re-scored by the PRM.
    await setEditorText(page, `WITH\n  s1 AS (\n    SELECT *\n    FROM singer\n    WHERE Age > ${20 + i}\n  )\nSELECT count(*)\nFROM s1`);
    await expect(page.getByTestId('step-prm')).toHaveCount(2, { timeout: 30_000 });
    await expect(page.getByTestId('step-card').last()).toHaveAttribute('data-state', 'ok');
    if (!workers) {
      // Attached once the models are loaded, so that attaching cannot delay the workers' start.
      workers = new Map();
      cdp.on('Target.attachedToTarget', (e) => void workers!.set(e.sessionId, e.targetInfo.url));
      await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
      await expect.poll(() => [...workers!.values()].filter((u) => /model\.worker|sqlEngine/.test(u)).length).toBe(2);
    }
    if (i === 0 || i === mid || i === questions - 1) heaps.push(await measure(page, cdp, workers, call, FULL && i !== mid));
  }
  const [first, half, last] = [heaps[0]!, heaps[1]!, heaps[2]!];
  const growth = (k: keyof Heap, from = first) => (last[k] - from[k]) / from[k];
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const line = (k: keyof Heap, unit: (x: number) => string) => `${k} ${unit(first[k])} -> ${unit(last[k])} (${(100 * growth(k)).toFixed(1)}%)`;
  const summary = [
    `${questions} questions, best-of-${n}, mean ${(times.reduce((a, b) => a + b, 0) / times.length / 1000).toFixed(2)} s per answer`,
    line('pageHeap', mb) + ' MB',
    ...(FULL ? [line('pageData', mb) + ' MB'] : []),
    line('workerHeap', mb) + ' MB',
    line('tab', mb) + ` MB (from question ${mid + 1}: ${(100 * growth('tab', half)).toFixed(1)}%)`,
    line('nodes', String),
    line('listeners', String),
  ].join('; ');
  console.log(`memory: ${summary}`);
  test.info().annotations.push({ type: 'memory', description: summary });
  if (FULL) writeFileSync('bench/reliability-memory.json', `${JSON.stringify({ questions, n, secondsPerAnswer: times.map((t) => t / 1000), first, [`question${mid + 1}`]: half, last }, null, 2)}\n`);
  // The JS heaps of the page and of the model worker, from the first question to the last. The page's holds V8's
  // optimized code too, which grows as more of the studio's functions get hot: 15.2 -> 18.2 MB (+20%) over 40
  // questions with best-of-8, while what the page keeps (`pageData`) went 19.0 -> 18.8 MB; a heap snapshot diff over
  // 25 questions put 2.45 MB of 2.58 MB growth in code, 45 kB in objects. So the full run holds `pageData` to 20% and
  // the whole heap to 30%.
  expect(growth('pageHeap')).toBeLessThanOrEqual(FULL ? 0.3 : 0.2);
  if (FULL) expect(growth('pageData')).toBeLessThanOrEqual(0.2);
  expect(growth('workerHeap')).toBeLessThanOrEqual(0.2);
  // The whole tab includes the model worker's wasm memory, which only grows: onnxruntime's arena reaches its working
  // size over the first few questions (72 MB after one, 160 MB after three) and stays there. Bounded: over the
  // second half of the run.
  expect(growth('tab', half)).toBeLessThanOrEqual(0.2);
  expect(last.nodes - first.nodes).toBeLessThan(2000);
  expect(last.listeners - first.listeners).toBeLessThan(50);
});
