import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, mainOf, serve } from './browser.js';

/* The accessibility statement, reached from the foot of the log-in page, axe-clean in Swedish and English. */

let t: TestApp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t.app);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('the accessibility statement in the browser', () => {
  it('is one link away from the log-in page, and reads in Swedish and English', async () => {
    const page = await browser.page();
    await page.goto(`${base}/login`);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Tillgänglighet' }).click();
    await page.waitForURL(`${base}/accessibility`);
    expect(await mainOf(page)).toContain('Tillgänglighet för Satsa');
    await expectAccessible(page, 'accessibility statement');
    await page.getByRole('button', { name: 'In English' }).click();
    await page.getByRole('heading', { name: 'Accessibility of Satsa' }).waitFor();
    await expectAccessible(page, 'accessibility statement in English');
  });
});
