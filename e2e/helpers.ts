import { expect, type Page } from '@playwright/test';

export const SHOTS = 'e2e/screenshots';

/** Waits for the studio with the default sample open and every step run. */
export async function openStudio(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('db-status')).toContainText('read-only');
  await expect(page.locator('[data-testid=step-card][data-state=pending]')).toHaveCount(0);
}

/** Replaces the editor text the way a paste would (through Monaco's model). */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const ed = (window as unknown as { __cocteEditor: { setValue(v: string): void } }).__cocteEditor;
    ed.setValue(t);
  }, text);
}

export async function stepCounts(page: Page): Promise<string[]> {
  return page.locator('[data-testid=step-card] [data-testid=row-count]').allInnerTexts();
}
