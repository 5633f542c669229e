import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../machines/roles.js';
import { CURRENT_CASE_MACHINE_VERSION } from '../../machines/versions.js';
import { RECORDED_AT_CREATION, storyOfVersion } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, SCREENSHOTS, serve } from './browser.js';

/*
 * At every step of the story, on a laptop (1366×768) and a phone (390×844): the case page's
 * first screen holds where the case stands, what happens next and who does it, and the reader's
 * own next action; every part of the page is one link away from its list of parts. Read as the
 * person whose turn it is, and as the initiator who follows their idea.
 */

let t: TestApp;
let base: string;
const browser = browserSuite();
const VIEWPORTS = [
  { name: 'laptop', viewport: { width: 1366, height: 768 } },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
] as const;
const pages = new Map<string, Page>();

beforeAll(async () => {
  t = await createTestApp();
  base = await serve(t.app);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

/** A page logged in as `role` in a context of the viewport's size (one per pair, reused). */
async function pageOf(role: Role, size: (typeof VIEWPORTS)[number]): Promise<Page> {
  const key = `${role}/${size.name}`;
  let page = pages.get(key);
  if (!page) {
    const { name: _name, ...options } = size;
    const context = await browser.context({ locale: 'sv-SE', ...options });
    const session = t.services.people.createSession(t.actors[role].id, 1);
    await context.addCookies([{ name: 'satsa_session', value: session.token, url: base }]);
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    pages.set(key, page);
  }
  return page;
}

/** Where the element's box ends, against the viewport's height; undefined when there is no such element. */
async function bottomOf(page: Page, selector: string) {
  const box = await page.locator(selector).first().boundingBox();
  return box ? box.y + box.height : undefined;
}

async function expectFirstScreen(page: Page, what: string, ownAction: boolean) {
  const height = page.viewportSize()!.height;
  for (const selector of ['.status-panel .step-text', '#next-step', '#your-action']) {
    const bottom = await bottomOf(page, selector);
    expect(bottom, `${what}: ${selector} is on the page`).toBeDefined();
    // A page that fails is kept as a picture of its first screen.
    if (bottom! > height) await page.screenshot({ path: `${SCREENSHOTS}/first-screen-${what.replace(/\W+/g, '-')}.png` });
    expect(bottom!, `${what}: ${selector} ends at ${bottom} px, below the first screen (${height} px)`).toBeLessThanOrEqual(height);
  }
  if (ownAction) expect(await page.locator('#your-action a.button').count(), `${what}: the reader's next action`).toBe(1);
  // Every part of the page is one link away: the list of parts links to each section's heading.
  const sections = await page.locator('main section[aria-labelledby] > h2[id]').evaluateAll((hs) => hs.map((h) => h.id));
  const links = await page.locator('nav.case-sections a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const id of sections.filter((s) => s !== 'status-heading')) expect(links, `${what}: a link to #${id}`).toContain(`#${id}`);
}

describe('the first screen of a case page, at every step', () => {
  it(
    'holds where the case stands, what happens next and the reader’s own next action, on a laptop and a phone',
    { timeout: 300_000 },
    async () => {
      const id = await createCase(t, 'Kamratstöd för unga vuxna i Ronneby');
      // What raising the idea records already (version 4 sends it to the coordinators) is not sent again.
      const story = storyOfVersion(CURRENT_CASE_MACHINE_VERSION).filter((s) => !RECORDED_AT_CREATION.includes(s.type));
      for (const [i, step] of story.entries()) {
        for (const size of VIEWPORTS) {
          // The person whose turn it is on both; the initiator who follows the idea on their phone.
          for (const role of new Set<Role>(size.name === 'phone' ? [step.role, 'initiator'] : [step.role])) {
            const page = await pageOf(role, size);
            await page.goto(`${base}/cases/${id}`);
            await expectFirstScreen(page, `step ${i + 1} (${step.type}) as ${role} on a ${size.name}`, role === step.role);
          }
        }
        advance(t, id, [step]);
      }
      const closed = await pageOf('initiator', VIEWPORTS[1]);
      await closed.goto(`${base}/cases/${id}`);
      await expectFirstScreen(closed, 'the closed case as its initiator on a phone', false);
      await expectAccessible(closed, 'closed case on a phone');
    },
  );
});
