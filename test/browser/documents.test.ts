import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ELF, PDF, sha256 } from '../documents/multipart.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, logIn as logInAs, mainOf, serve } from './browser.js';

/*
 * Documents on a case, in Chromium, as the initiator who owns it: attach a PDF from the case
 * page, see it listed, download it byte for byte; a renamed program is refused with an error
 * summary that leads to the file input; withdraw one after the warning, in English. axe-core
 * checks every page, in Swedish and in English.
 */

const PASSWORD = 'browser-documents-password';
const EMAIL = 'dokument.initiativ@e2e.satsa.se';
let t: TestApp;
let base: string;
let caseId: string;
const browser = browserSuite();

beforeAll(async () => {
  t = await createTestApp();
  const initiator = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: EMAIL,
    displayName: 'Dora Dokument',
    roles: ['initiator'],
    password: PASSWORD,
  });
  caseId = t.services.cases.create(initiator, { title: 'Stödgrupp för unga vuxna', summary: 'En idé med underlag.' }, 'sv').id;
  base = await serve(t.app);
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const logIn = (page: Page) => logInAs(page, base, EMAIL, PASSWORD);
const documents = (page: Page) => page.locator('section[aria-labelledby="documents"]');

it('an initiator attaches a document on their case, sees it listed and downloads it; a wrong type gets an error summary', async () => {
  const page = await browser.page();
  await logIn(page);
  await page.goto(`${base}/cases/${caseId}`);
  await documents(page).getByText('Inga dokument har lagts till ännu.').waitFor();
  await expectAccessible(page, 'case page without documents');

  await documents(page).getByLabel('Välj en fil').setInputFiles({ name: 'Protokoll åäö.pdf', mimeType: 'application/pdf', buffer: PDF });
  await documents(page).getByLabel('Varför läggs dokumentet till? (frivilligt)').fill('Protokoll från dialogforumet');
  await documents(page).getByRole('button', { name: 'Lägg till dokumentet' }).click();
  await page.waitForURL(`${base}/cases/${caseId}?done=document-added#documents`);
  expect(await page.locator('#notice').innerText()).toBe('Dokumentet har lagts till i ärendet.');
  const row = documents(page).getByRole('row', { name: /Protokoll åäö\.pdf/ });
  expect(await row.innerText()).toContain('PDF');
  expect(await row.innerText()).toContain('Dora Dokument');
  expect(await row.innerText()).toContain('Protokoll från dialogforumet');
  expect(await row.innerText()).toContain('Gällande');
  await expectAccessible(page, 'case page with a document');

  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /^Ladda ner/ }).click()]);
  expect(download.suggestedFilename()).toBe('Protokoll åäö.pdf');
  expect(sha256(fs.readFileSync((await download.path())!))).toBe(sha256(PDF));

  // A program renamed to .pdf: refused, the form again with an error summary that leads to the input.
  await page.goto(`${base}/cases/${caseId}`);
  await documents(page).getByLabel('Välj en fil').setInputFiles({ name: 'faktura.pdf', mimeType: 'application/pdf', buffer: ELF });
  await documents(page).getByRole('button', { name: 'Lägg till dokumentet' }).click();
  const summary = page.locator('.error-summary');
  expect(await summary.innerText()).toContain('Det finns ett problem');
  expect(await summary.innerText()).toContain('Filen kan inte läggas till');
  await expectAccessible(page, 'upload refused');
  await summary.getByRole('link').click();
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('document-file');
  expect(await mainOf(page)).toContain('Högst 20 MB.');
  expect(t.services.db.$client.prepare('SELECT count(*) AS n FROM case_documents').get()).toEqual({ n: 1 });
});

it('in English: the list, a text file added, and a document withdrawn after the warning', async () => {
  const page = await browser.page();
  await logIn(page);
  await page.goto(`${base}/cases/${caseId}`);
  await page.getByRole('button', { name: 'In English' }).click();
  await page.getByRole('heading', { name: 'Documents', level: 2 }).waitFor();
  await documents(page)
    .getByLabel('Choose a file')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Åtta deltog.\n') });
  await documents(page).getByRole('button', { name: 'Add the document' }).click();
  expect(await page.locator('#notice').innerText()).toBe('The document has been added to the case.');
  await expectAccessible(page, 'case page with documents, in English');

  await documents(page)
    .getByRole('row', { name: /notes\.txt/ })
    .getByRole('link', { name: /Withdraw/ })
    .click();
  await page.getByRole('heading', { name: 'Withdraw the document', level: 1 }).waitFor();
  await page.getByText('This cannot be undone.').waitFor();
  await expectAccessible(page, 'withdraw page, in English');
  await page.getByRole('button', { name: 'Withdraw the document' }).click();
  expect(await page.locator('.error-summary').innerText()).toContain('Say why the document is withdrawn.');
  await expectAccessible(page, 'withdraw page with an error, in English');
  await page.getByLabel('Why is the document withdrawn?').fill('Added by mistake');
  await page.getByRole('button', { name: 'Withdraw the document' }).click();
  await page.waitForURL(`${base}/cases/${caseId}?done=document-withdrawn#documents`);
  const row = documents(page).getByRole('row', { name: /notes\.txt/ });
  expect(await row.innerText()).toContain('Withdrawn');
  expect(await row.innerText()).toContain('Reason: Added by mistake');
  expect(await page.locator('section[aria-labelledby="history"]').innerText()).toContain('The document notes.txt was withdrawn');
  await expectAccessible(page, 'case page with a withdrawn document, in English');
});
