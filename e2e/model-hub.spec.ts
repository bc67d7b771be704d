import { expect, test, type Page } from '@playwright/test';
import { openStudio, SHOTS } from './helpers';
import { routeHub, TINY_DIR } from './hubFixture';

/**
 * Bring your own model (issue 23), without the internet: the Hub's URLs are routed to models exported by our own
 * scripts (e2e/hubFixture.ts). Each fixture loads by Hub id with byte progress, answers a question with steps, and
 * loads again from the browser's cache with the Hub unreachable; the fixture built around the GroupQueryAttention
 * contrib op loads by Hub id and answers; a local folder loads; a corrupt file is refused with a
 * message and the embedded model still answers; the default backend answers three questions in a row.
 */

const QUESTION = 'How many singers do we have?';

async function ask(page: Page, question: string): Promise<void> {
  await page.getByLabel('Question').fill(question);
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Ask' })).toBeVisible({ timeout: 150_000 });
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
}

async function expectAnswered(page: Page): Promise<void> {
  await expect(page.locator('.model-status [role=alert]')).toHaveCount(0);
  expect(await page.getByTestId('step-card').count()).toBeGreaterThanOrEqual(1);
  const text = await page.evaluate(() => (window as unknown as { __cocteEditor: { getValue(): string } }).__cocteEditor.getValue());
  expect(text).toMatch(/SELECT/i);
}

async function pickFromHub(page: Page, id: string): Promise<void> {
  await page.getByTestId('model-button').click();
  await page.getByLabel('Hub model id').fill(id);
  await page.getByRole('button', { name: 'List files' }).click();
  await expect(page.getByTestId('hub-listing')).toBeVisible();
}

for (const [id, dtype] of [
  ['cocte/policy', 'q8'],
  ['cocte/tiny-gqa-chat', 'q4'],
] as const) {
  test(`${id}: listed, downloaded with progress, answers with steps, then loads from the cache with the Hub offline`, async ({ page, context }) => {
    test.setTimeout(300_000);
    const hub = await routeHub(context);
    await openStudio(page, '?sample=concert_singer');
    await pickFromHub(page, id);
    // The files, their sizes and the dtypes are shown before anything downloads.
    await expect(page.getByTestId('hub-file').first()).toContainText(/\d+(\.\d)? ?(kB|MB|B)/);
    await expect(page.getByLabel('Dtype')).toHaveValue(dtype);
    expect(hub.requests.filter((r) => r.includes('/resolve/'))).toHaveLength(0);
    await page.getByRole('button', { name: /^Download .* and use$/ }).click();
    // Byte progress per file: every needed file's bar fills.
    await expect(page.getByTestId('model-button')).toHaveText(`Model: ${id}`, { timeout: 60_000 });
    await expect(page.getByTestId('backend')).toHaveText(/Policy ready · (WASM|WebGPU)/, { timeout: 120_000 });
    await page.screenshot({ path: `${SHOTS}/23-hub-loaded.png` });
    await ask(page, QUESTION);
    await expectAnswered(page);

    // Offline: the Hub is unreachable, and the cached copy loads in a new page.
    await context.unroute('https://huggingface.co/**');
    const offline: string[] = [];
    await context.route('https://huggingface.co/**', (route) => {
      offline.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    const again = await context.newPage();
    await openStudio(again, '?sample=concert_singer');
    await again.getByTestId('model-button').click();
    const cached = again.getByTestId('cached-model').filter({ hasText: id });
    await expect(cached).toContainText(/MB|kB/);
    await cached.getByRole('button', { name: 'Use' }).click();
    await expect(again.getByTestId('backend')).toHaveText(/Policy ready/, { timeout: 120_000 });
    await ask(again, QUESTION);
    await expectAnswered(again);
    expect(offline).toHaveLength(0);
    await again.close();
  });
}

test('cocte/tiny-gqa-op-chat (the GroupQueryAttention contrib op, no position_ids input): picked from the Hub, answers with steps', async ({ page, context }) => {
  test.setTimeout(240_000);
  await routeHub(context);
  await openStudio(page, '?sample=concert_singer');
  await pickFromHub(page, 'cocte/tiny-gqa-op-chat');
  await expect(page.getByLabel('Dtype')).toHaveValue('q4');
  await page.getByRole('button', { name: /^Download .* and use$/ }).click();
  await expect(page.getByTestId('model-button')).toHaveText('Model: cocte/tiny-gqa-op-chat', { timeout: 60_000 });
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · (WASM|WebGPU)/, { timeout: 120_000 });
  await ask(page, QUESTION);
  await expectAnswered(page);
});

test('an interrupted download resumes with a Range request; a gated model and a corrupt file get plain messages, and the embedded model still answers', async ({ page, context }) => {
  test.setTimeout(240_000);
  const hub = await routeHub(context, { gated: ['meta-llama/Gated-1B'], cutAt: { path: 'onnx/model_q4.onnx_data', bytes: 1_000_000 } });
  await openStudio(page, '?sample=concert_singer');
  await pickFromHub(page, 'cocte/tiny-gqa-chat');
  await page.getByRole('button', { name: /^Download .* and use$/ }).click();
  await expect(page.getByTestId('hub-error')).toContainText(/onnx\/model_q4\.onnx_data (is incomplete|stopped downloading)/);
  await page.getByRole('button', { name: /^Download .* and use$/ }).click();
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready/, { timeout: 120_000 });
  expect(hub.ranges).toBe(1);

  await page.getByTestId('model-button').click();
  await page.getByLabel('Hub model id').fill('meta-llama/Gated-1B');
  await page.getByRole('button', { name: 'List files' }).click();
  await expect(page.getByTestId('hub-error')).toContainText('gated or private');

  await page.getByLabel('Hub model id').fill('cocte/corrupt');
  await page.getByRole('button', { name: 'List files' }).click();
  await page.getByRole('button', { name: /^Download .* and use$/ }).click();
  await expect(page.locator('.model-status [role=alert]')).toContainText(/cocte\/corrupt did not load: The model file onnx\/model_q4\.onnx is damaged/, { timeout: 60_000 });
  await expect(page.getByTestId('model-button')).toHaveText('Model: embedded');
  await page.screenshot({ path: `${SHOTS}/23-corrupt-model.png` });
  await ask(page, QUESTION);
  await expectAnswered(page);
});

test('a local folder (directory picker) loads and answers with steps', async ({ page }) => {
  test.setTimeout(180_000);
  await openStudio(page, '?sample=concert_singer');
  await page.getByTestId('model-button').click();
  await page.getByLabel('Model folder').setInputFiles(TINY_DIR);
  await expect(page.getByTestId('model-button')).toHaveText('Model: tiny-gqa-chat (local folder)');
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready/, { timeout: 120_000 });
  await ask(page, QUESTION);
  await expectAnswered(page);
  await page.getByTestId('model-button').click();
  await expect(page.getByTestId('diagnostics')).toContainText('chat template');
  await expect(page.getByTestId('diagnostics')).toContainText('fp16 cache');
});

test('the default backend (software WebGPU enabled) answers three questions in a row, best-of-N last, and says what it chose', async ({ page }) => {
  test.setTimeout(300_000);
  await openStudio(page, '?sample=concert_singer');
  await ask(page, QUESTION);
  await expectAnswered(page);
  await ask(page, 'What is the average age of all singers?');
  await expectAnswered(page);
  await page.getByLabel('Strategy').selectOption('bon');
  await ask(page, 'Show the names of singers older than 30.');
  await expectAnswered(page);
  await page.getByTestId('model-button').click();
  const diag = page.getByTestId('diagnostics');
  await expect(diag).toContainText(/software fallback|short probe|no WebGPU adapter/);
  await expect(page.getByTestId('diag-threads')).toContainText('cross-origin isolated');
  await page.screenshot({ path: `${SHOTS}/23-diagnostics.png` });
});

// Software WebGPU decodes at a few tokens per second here, so this check of the WebGPU path (the OrtRun / MapAsync
// failure on the second question and the best-of-N failure of issue 23) runs only with WEBGPU_E2E=1 (about 4 minutes).
test('WebGPU (forced) answers three questions in a row, best-of-N last: one ORT run at a time over the policy and the PRM', async ({ page }) => {
  test.skip(!process.env.WEBGPU_E2E, 'set WEBGPU_E2E=1 to run the slow software-WebGPU check');
  test.setTimeout(600_000);
  const t0 = Date.now();
  const lap = (what: string) => console.log(`webgpu ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await openStudio(page, '?sample=concert_singer&backend=webgpu');
  await ask(page, QUESTION);
  await expectAnswered(page);
  lap('question 1');
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WebGPU/);
  await ask(page, 'What is the average age of all singers?');
  await expectAnswered(page);
  lap('question 2');
  await page.getByLabel('Strategy').selectOption('bon');
  await page.getByLabel('Number of candidates (N)').fill('2');
  await ask(page, 'Show the names of singers older than 30.');
  await expectAnswered(page);
  lap('question 3 (best-of-2)');
  await expect(page.getByTestId('backend')).toHaveText(/Policy ready · WebGPU/);
});
