import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn as logInAs, serve } from './browser.js';

/*
 * Recording what already happened, in Chromium, as the programme's administrator: the plan
 * from a workbook, first with a mistake that the check names by sheet, row and column and
 * that writes nothing, then corrected, checked and confirmed; then decided initiatives from a
 * CSV file the same way. axe-core checks every page type, in Swedish and in English.
 */

const PASSWORD = 'browser-import-password';
const EMAIL = 'import.admin@e2e.satsa.se';
let t: TestApp;
let base: string;
let areaName: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2025-11-03T09:00:00.000Z');
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
  areaName = config.priorityAreas[0]!.label.sv;
  await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: EMAIL,
    displayName: 'Ida Import',
    roles: ['administrator'],
    password: PASSWORD,
  });
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const logIn = (page: Page) => logInAs(page, base, EMAIL, PASSWORD);

async function planWorkbook(area: string) {
  const wb = new ExcelJS.Workbook();
  const sheet = (name: string, rows: string[][]) =>
    rows.forEach((r) => wb.getWorksheet(name)?.addRow(r) ?? wb.addWorksheet(name).addRow(r));
  sheet('Plan', [
    ['Planens namn', 'Antagen av', 'Beslutsreferens', 'Beslutsdatum', 'Nästa revidering'],
    ['Långsiktig plan för psykisk hälsa', 'Regionfullmäktige', 'RF 2022-06-21 § 79', '2022-06-21', '2026-06-30'],
  ]);
  sheet('Mål', [
    ['Mål', 'Inom antal år', 'Målår', 'Områden'],
    ['Färre suicid inom tolv år', '12', '2035', area],
  ]);
  sheet('Indikatorer', [
    ['Indikator', 'Slag', 'Hör till mål', 'Målvärde 2022', 'Värde 2022'],
    ['Andel utbildade medarbetare', 'procent', 'Färre suicid inom tolv år', '20', '22,5'],
  ]);
  sheet('Uppdrag', [
    ['Uppdrag', 'Ansvarig', 'Redovisas'],
    ['Inventera anhörigstödet', 'Hälso- och sjukvården', 'hösten 2024'],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The part of the import page for one kind. */
const kind = (page: Page, id: string) => page.locator('section', { has: page.locator(`#kind-${id}`) });
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('recording what already happened, in the browser', () => {
  it('imports the plan from a workbook after a check that names a mistake by sheet, row and column', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/programme/settings`);
    await page.getByRole('link', { name: 'Importera från kalkylblad' }).click();
    await page.waitForURL(`${base}/programme/import`);
    await expectAccessible(page, 'imports');

    // A template to fill in, for each kind.
    const template = page.waitForEvent('download');
    await kind(page, 'plan').getByRole('link', { name: 'Mall för Excel' }).click();
    expect((await template).suggestedFilename()).toMatch(/\.xlsx$/);

    // An area the programme does not have: named, nothing written.
    const plan = kind(page, 'plan');
    await plan.getByLabel('Fil').setInputFiles({ name: 'plan.xlsx', mimeType: XLSX, buffer: await planWorkbook('Ett okänt område') });
    await plan.getByRole('button', { name: 'Kontrollera filen' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    const summary = await page.locator('.error-summary').innerText();
    expect(summary).toContain('Mål');
    expect(summary).toContain('rad 2');
    expect(summary).toContain('kolumn Områden');
    expect(summary).toContain('Programmet har inget område som heter ”Ett okänt område”.');
    await expectAccessible(page, 'plan import with an error');
    expect(t.services.plans.versions(t.actors.administrator, PROGRAMME).items).toEqual([]);

    // Corrected: what would be made, then the import.
    await page.getByLabel('Fil').setInputFiles({ name: 'plan.xlsx', mimeType: XLSX, buffer: await planWorkbook(areaName) });
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.getByRole('heading', { name: 'Det här skapas' }).waitFor();
    const main = await page.locator('main').innerText();
    expect(main).toContain('Planen ”Långsiktig plan för psykisk hälsa”, antagen genom RF 2022-06-21 § 79');
    expect(main).toContain('Värdet för 2022: ”Andel utbildade medarbetare”');
    await expectAccessible(page, 'plan import checked');
    await page.getByRole('button', { name: /^Importera \d+ delar av planen$/ }).click();
    await page.getByRole('heading', { name: 'Importen är klar' }).waitFor();
    await expectAccessible(page, 'plan imported');
    await page.getByRole('link', { name: 'Till planen' }).click();
    await page.waitForURL(`${base}/plan`);
    const shown = await page.locator('main').innerText();
    expect(shown).toContain('Långsiktig plan för psykisk hälsa');
    expect(shown).toContain('RF 2022-06-21 § 79');
    // Hösten 2024 had passed at the import: overdue on the page, but no reminder was set.
    expect(
      t.services.db.$client.prepare("SELECT count(*) AS n FROM timers WHERE assignment_id IS NOT NULL AND status = 'pending'").get(),
    ).toEqual({ n: 0 });
  });

  it('imports decided initiatives from CSV, and the same file again makes nothing new; in English too', async () => {
    const page = await browser.page();
    await logIn(page);
    await page.goto(`${base}/programme/import`);
    const header = 'Diarienummer;Rubrik;Beskrivning;Fokusområde;Beslutsdatum;Beslutande organ;Beslutsreferens;Beviljat belopp';
    const row = (date: string) =>
      `UPH-2025-0031;Samtalsstöd i skolan;Stöd till elever;${areaName};${date};Regiondirektören;RS 2025/31 § 4;150 000`;
    const file = (date: string) => ({ name: 'satsningar.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\r\n${row(date)}\r\n`) });
    const initiatives = kind(page, 'initiatives');
    await initiatives.getByLabel('Fil').setInputFiles(file('15 mars 2025'));
    await initiatives.getByRole('button', { name: 'Kontrollera filen' }).click();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await page.locator('.error-summary').innerText()).toMatch(/rad 2, kolumn Beslutsdatum/i);

    await page.getByLabel('Fil').setInputFiles(file('2025-03-15'));
    await page.getByRole('button', { name: 'Kontrollera filen' }).click();
    await page.getByRole('button', { name: 'Importera 1 satsning' }).click();
    await page.getByRole('heading', { name: 'Importen är klar' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('UPH-2025-0031');

    // The same file again: nothing new, in English.
    await page.goto(`${base}/programme/import`);
    await page.getByRole('button', { name: 'In English' }).click();
    await page.getByRole('heading', { name: 'Import from a spreadsheet' }).waitFor();
    await expectAccessible(page, 'imports in English');
    await kind(page, 'initiatives').getByLabel('File').setInputFiles(file('2025-03-15'));
    await kind(page, 'initiatives').getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { name: 'This exists already' }).waitFor();
    await expectAccessible(page, 'import already there, in English');
    expect(await page.getByRole('button', { name: /^Import / }).count()).toBe(0);
  });
});
