import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, screenshot, logIn as logInAs, mainOf, serve } from './browser.js';

/*
 * Jämtland's long-term plan (seed 004) entered in Chromium by the programme's administrator:
 * the title and goals at 12, 8 and 4 years, the three assignments with their dates as the plan
 * writes them, an indicator with its 2022 target; adopted by the regional council after a check;
 * a value for 2022 recorded; a second revision adopted; then, years later, the plan shows the
 * target met, the overdue assignments and the next revision date, and the versions and their
 * differences read in words. axe-core checks every page type, and none may break its
 * Content-Security-Policy.
 */

const PASSWORD = 'browser-plan-password';
const EMAIL = 'plan.admin@e2e.satsa.se';
const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
  document: { title: string; goals: { title: string; horizonYears: number; targetYear: number }[] };
  adoption: Record<string, string>;
};
let t: TestApp;
let base: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  // The plan is adopted in June 2022; the programme runs for its twelve years.
  t.clock.set('2022-06-27T08:00:00.000Z');
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: EMAIL,
    displayName: 'Anna Frisk',
    roles: ['administrator'],
    password: PASSWORD,
  });
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const logIn = (page: Page) => logInAs(page, base, EMAIL, PASSWORD);

const main = mainOf;
const at = (page: Page, key: string) => page.locator(`#plan-${key.replace(/\./g, '-')}`);

describe("a programme's plan in the browser, seed 004", () => {
  it('is entered as a draft, adopted, measured and revised; overdue assignments and the next revision show', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.getByRole('link', { name: 'Plan', exact: true }).click();
    await page.waitForURL(`${base}/plan`);
    expect(await main(page)).toContain('ingen antagen plan');
    await expectAccessible(page, 'plan, none adopted');

    await page.getByRole('link', { name: 'Utkast till nästa version' }).click();
    await expectAccessible(page, 'draft overview, new');
    await page.getByRole('link', { name: 'Börja med planens namn och mål' }).click();
    await expectAccessible(page, 'draft title and goals form');

    // Nothing filled in: the errors at the top, linked to their fields.
    await page.getByRole('button', { name: 'Spara' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await page.locator('.error-summary').innerText()).toContain('Skriv planens namn');
    await expectAccessible(page, 'draft form with errors');

    // The title and the goals at 12, 8 and 4 years, a row added for each.
    await page.getByLabel('Planens namn').fill(seed.document.title);
    const goals = [seed.document.goals[0]!, seed.document.goals[1]!, seed.document.goals[3]!];
    for (const [i, goal] of goals.entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Lägg till en rad' }).click();
      await at(page, `goals.${i}.title`).fill(goal.title);
      await at(page, `goals.${i}.horizonYears`).fill(String(goal.horizonYears));
      await at(page, `goals.${i}.targetYear`).fill(String(goal.targetYear));
      await page.locator(`#plan-goals-${i}-areaIds`).getByLabel('Suicidprevention').check();
    }
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.waitForURL(`${base}/plan/draft?done=saved`);
    await expectAccessible(page, 'draft overview, saved');

    // The three assignments with their dates as the plan writes them.
    await page.getByRole('link', { name: 'Ändra uppdrag' }).click();
    const assignments = [
      ['Kartläggning psykisk ohälsa: förslag på åtgärder och fokusområden', 'våren 2023'],
      ['Inventering av anhörig- och efterlevandestöd', 'slutet på 2022'],
      ['Utreda en länsövergripande strategi för psykisk hälsa och suicidprevention', 'hösten 2024'],
    ];
    for (const [i, [title, due]] of assignments.entries()) {
      if (i > 0) await page.getByRole('button', { name: 'Lägg till en rad' }).click();
      await at(page, `assignments.${i}.title`).fill(title!);
      await at(page, `assignments.${i}.responsible`).fill('Utvecklingsstrateg psykisk hälsa FHE');
      await at(page, `assignments.${i}.due`).fill(due!);
    }
    await expectAccessible(page, 'draft assignments form');
    // Enter in a field saves (the save button comes first in the form).
    await at(page, 'assignments.2.due').press('Enter');
    await page.waitForURL(`${base}/plan/draft?done=saved`);

    // An indicator with its 2022 target.
    await page.getByRole('link', { name: 'Ändra indikatorer' }).click();
    await at(page, 'indicators.0.label').fill('Andel medarbetare och förtroendevalda som genomgått utbildning i suicidprevention');
    await page.locator('#plan-indicators-0-kind').getByLabel('En andel i procent').check();
    await at(page, 'indicators.0.targets.0.year').fill('2022');
    await at(page, 'indicators.0.targets.0.value').fill('20');
    await page.locator('#plan-indicators-0-goalIds').getByLabel(goals[2]!.title).check();
    await expectAccessible(page, 'draft indicators form');
    await page.getByRole('button', { name: 'Spara' }).click();
    await page.waitForURL(`${base}/plan/draft?done=saved`);

    // The decision, checked before the plan is in force.
    await page.getByRole('link', { name: 'Registrera beslutet' }).click();
    await expectAccessible(page, 'adoption form');
    await page.getByLabel('Vem antog planen').fill('Regionfullmäktige');
    await page.getByLabel('Beslutets paragraf eller diarienummer').fill('2022-06-21—22 § 79');
    await page.getByLabel('Beslutsdatum').fill('2022-06-22');
    await page.getByLabel('Nästa revidering senast').fill('2027-12-31');
    await page.getByRole('button', { name: 'Fortsätt' }).click();
    await page.getByRole('heading', { name: 'Kontrollera planen och beslutet' }).waitFor();
    expect(await main(page)).toContain('hösten 2024');
    await expectAccessible(page, 'adoption check');
    await page.getByRole('button', { name: 'Anta version 1' }).click();
    await page.waitForURL(`${base}/plan?done=adopted`);
    expect(await page.getByRole('status').innerText()).toContain('Planen är antagen');
    let text = await main(page);
    for (const words of [
      'Regionfullmäktige',
      '2022-06-21—22 § 79',
      'Inom 12 år',
      'Inom 8 år',
      'Inom 4 år',
      'våren 2023',
      'slutet på 2022',
    ]) {
      expect(text).toContain(words);
    }
    expect(text).not.toContain('Försenat');
    await expectAccessible(page, 'plan in force');

    // A value for 2022.
    await page.getByRole('link', { name: /Registrera ett värde/ }).click();
    await expectAccessible(page, 'record a value');
    await page.getByLabel('År').fill('2022');
    await page.getByLabel('Värde i procent').fill('23');
    await page.getByRole('button', { name: 'Spara värdet' }).click();
    await page.waitForURL(`${base}/plan?done=value`);
    expect(await main(page)).toContain('Målet nått');

    // An assignment under way.
    await page.getByRole('link', { name: /Ändra läget.*Inventering/ }).click();
    await expectAccessible(page, 'assignment status');
    await page.getByLabel('Pågår').check();
    await page.getByLabel(/Kommentar/).fill('Inventeringen har börjat');
    await page.getByRole('button', { name: 'Spara läget' }).click();
    await page.waitForURL(`${base}/plan?done=status`);

    // A second revision in March 2023, in the browser: the inventory assignment is dropped
    // (its row emptied), and the regional board adopts it.
    t.clock.set('2023-03-02T08:00:00.000Z');
    const revision = await browser.page();
    await logIn(revision);
    await revision.goto(`${base}/plan`);
    await revision.getByRole('link', { name: 'Utkast till nästa version' }).click();
    await revision.getByRole('link', { name: 'Ändra uppdrag' }).click();
    expect(await at(revision, 'assignments.1.title').inputValue()).toBe('Inventering av anhörig- och efterlevandestöd');
    for (const field of ['title', 'description', 'responsible', 'due']) await at(revision, `assignments.1.${field}`).fill('');
    await revision.getByRole('button', { name: 'Spara' }).click();
    await revision.waitForURL(`${base}/plan/draft?done=saved`);
    await revision.getByRole('link', { name: 'Registrera beslutet' }).click();
    await revision.getByLabel('Vem antog planen').fill('Regionstyrelsen');
    await revision.getByLabel('Beslutets paragraf eller diarienummer').fill('RS 2023-03-01 § 12');
    await revision.getByLabel('Beslutsdatum').fill('2023-03-01');
    await revision.getByLabel('Nästa revidering senast').fill('2027-12-31');
    await revision.getByRole('button', { name: 'Fortsätt' }).click();
    await revision.getByRole('heading', { name: 'Kontrollera planen och beslutet' }).waitFor();
    expect(await main(revision)).not.toContain('Inventering av anhörig');
    await revision.getByRole('button', { name: 'Anta version 2' }).click();
    await revision.waitForURL(`${base}/plan?done=adopted`);

    // Years later: the assignments of spring 2023 and autumn 2024 are overdue.
    t.clock.set('2025-02-03T08:00:00.000Z');
    const later = await browser.page();
    await logIn(later);
    await later.goto(`${base}/plan`);
    text = await main(later);
    expect(text).toContain('Version 2 (gäller nu)');
    expect(text).toContain('Nästa revidering senast 2027-12-31');
    expect(text).toContain('2022 20 % 23 %');
    expect(text).toContain('Målet nått');
    expect(text.match(/Försenat/g)).toHaveLength(2);
    await expectAccessible(later, 'plan in force with overdue assignments');
    await screenshot(later, 'plan-in-force');

    await later.getByRole('link', { name: 'Alla versioner av planen' }).click();
    await expectAccessible(later, 'plan versions');
    await later.getByRole('button', { name: 'Visa skillnaderna' }).click();
    await later.waitForURL(`${base}/plan/diff?from=1&to=2`);
    text = await main(later);
    expect(text).toContain('Borttaget');
    expect(text).toContain('Inventering av anhörig- och efterlevandestöd');
    await expectAccessible(later, 'plan diff');
    await later.goBack();
    await later.getByRole('link', { name: 'Version 1', exact: true }).click();
    expect(await main(later)).toContain('Inventering av anhörig- och efterlevandestöd');
    await expectAccessible(later, 'plan version 1');

    // The multi-year report: the 2022 target met, the overdue assignments, the next revision.
    await later.goto(`${base}/plan`);
    await later.getByRole('link', { name: /^Flerårsrapport/ }).click();
    text = await main(later);
    expect(text).toMatch(/2022 20 % 23 % Målet nått/);
    expect(text).toContain('2 av 2 uppdrag är försenade.');
    expect(text).toContain('Nästa revidering senast 2027-12-31');
    await expectAccessible(later, 'multi-year report of the plan');

    await later.goto(`${base}/plan`);
    await later.getByRole('button', { name: 'In English' }).click();
    await later.waitForURL(`${base}/plan`);
    expect(await main(later)).toContain('Target met');
    await expectAccessible(later, 'plan in English');
  }, 120_000);
});
