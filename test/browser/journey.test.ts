import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventPayloads } from '../../machines/case/schemas.js';
import { FULL_PROPOSAL } from '../../src/demo/story.js';
import { formValues } from '../../src/web/forms.js';
import { PROPOSAL_PARTS, valuesOf } from '../../src/web/proposal-pages.js';
import type { CaseContext } from '../../machines/case/context.js';
import { createTestApp, PROGRAMME, type TestApp } from '../helpers.js';
import { browserSuite, expectAccessible, expectNoCspViolations, screenshot } from './browser.js';

/*
 * The whole road of an idea in a real browser (Debian's Chromium, headless): an initiator
 * submits an idea and the idea template (keyboard only), a coordinator takes it through the
 * coordination group, the dialogue forum and the proposal, LSVO recommends and the director
 * decides. axe-core checks every page type on the way, and no page may break its
 * Content-Security-Policy (each test ends by checking every context, browser.ts says how);
 * screenshots are kept in test-artifacts/screenshots.
 */

const PASSWORD = 'browser-journey-password';
let t: TestApp;
let base: string;
let caseId: string;
const browser = browserSuite();

const people = {
  initiator: { email: 'ida@e2e.satsa.se', name: 'Ida Initiativ', role: 'initiator' },
  coordinator: { email: 'kim@e2e.satsa.se', name: 'Kim Länsamordnare', role: 'county-coordinator' },
  group: { email: 'sam@e2e.satsa.se', name: 'Sam Samordningsgrupp', role: 'coordination-group' },
  lsvo: { email: 'lo@e2e.satsa.se', name: 'Lo LSVO', role: 'lsvo-secretary' },
  director: { email: 'dir@e2e.satsa.se', name: 'Dana Direktör', role: 'regional-director' },
  steering: { email: 'stina@e2e.satsa.se', name: 'Stina Styrgrupp', role: 'steering-group' },
  admin: { email: 'ada@e2e.satsa.se', name: 'Ada Administratör', role: 'administrator' },
  leaver: { email: 'pelle@e2e.satsa.se', name: 'Pelle Paus', role: 'initiator' },
} as const;
type Who = keyof typeof people;
const pages = {} as Record<Who, Page>;

beforeAll(async () => {
  t = await createTestApp();
  for (const p of Object.values(people)) {
    await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: p.email,
      displayName: p.name,
      roles: [p.role],
      password: PASSWORD,
    });
  }
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function logIn(who: Who): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${base}/login`);
  await page.getByLabel('E-postadress').fill(people[who].email);
  await page.getByLabel('Lösenord').fill(PASSWORD);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL(`${base}/cases`);
  pages[who] = page;
  return page;
}

/** The keyboard alone: where the focus is, and Tab until it reaches an element (by id or by its text). */
function keyboard(page: Page) {
  const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
  const focusedText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? '');
  const focusedHref = () => page.evaluate(() => document.activeElement?.getAttribute('href') ?? '');
  /** Tabs until the focused element has the id, the text or the link target `what`. */
  const tabTo = async (what: string, limit = 60) => {
    for (let steps = 0; (await focusedText()) !== what && (await focused()) !== what && (await focusedHref()) !== what; steps++) {
      if (steps > limit) throw new Error(`"${what}" is not reachable by Tab (at ${await focused()} "${await focusedText()}")`);
      await page.keyboard.press('Tab');
    }
    // The focused element is visibly marked.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
  };
  /** Enter on the focused link or button, and the page it leads to. */
  const enter = () => Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  /** Tabs to a field and types into it (a select: its option's first letters). */
  const typeInto = async (id: string, text: string) => {
    await tabTo(id);
    await page.keyboard.type(text);
  };
  return { focused, focusedText, tabTo, enter, typeInto };
}

/** The initiator logs in with the keyboard alone. */
async function logInByKeyboard(who: Who): Promise<Page> {
  const page = await browser.page();
  await page.goto(`${base}/login`);
  const keys = keyboard(page);
  await keys.typeInto('email', people[who].email);
  await keys.typeInto('password', PASSWORD);
  await keys.tabTo('Logga in');
  await keys.enter();
  await page.waitForURL(`${base}/cases`);
  pages[who] = page;
  return page;
}

/** The case as the engine has it (read as a coordinator). */
function caseState(app: TestApp, id: string) {
  const view = app.services.cases.get(app.actors['county-coordinator'], id, 'sv');
  return { steps: view.steps, version: view.version, context: view.data as CaseContext };
}

const openCase = async (page: Page) => {
  await page.goto(`${base}/cases/${caseId}`);
};

/** Sends a form and waits for the page that follows. */
async function submit(page: Page, formId: string) {
  await Promise.all([page.waitForLoadState('load'), page.locator(`#form-${formId} button[type=submit]`).click()]);
}

/** Opens the page of one action of the case. */
const act = async (page: Page, type: string) => {
  await page.goto(`${base}/cases/${caseId}/do/${type}`);
};

/**
 * Sends an act that moves the case on for good: the form, then the check of the answers, which
 * must show what was written, then "Bekräfta och skicka".
 */
async function submitChecked(page: Page, type: string, shows: string[] = []) {
  await submit(page, type);
  await page.locator('#check-answers').waitFor();
  for (const text of shows) expect(await page.locator('main').textContent()).toContain(text);
  await Promise.all([page.waitForLoadState('load'), page.locator(`#confirm-${type} button[type=submit]`).click()]);
}

async function expectRecorded(page: Page, label: string) {
  await expect.poll(() => page.locator('#notice').textContent()).toContain(`Registrerat: ${label}`);
}

/** Fills a generated form from flat values (`budget.0.year`), by the ids the form gives its fields. */
async function fill(page: Page, prefix: string, values: Record<string, string | string[] | undefined>) {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const id = `${prefix}-${name.replace(/\./g, '-')}`;
    if (Array.isArray(value)) {
      for (const v of value) await page.locator(`#${id} input[value="${v}"]`).check();
      continue;
    }
    const field = page.locator(`#${id}`);
    const tag = await field.evaluate((el) => el.tagName.toLowerCase());
    if (tag === 'select') await field.selectOption(value);
    else if (tag === 'fieldset') await page.locator(`#${id}-${value}`).check();
    else await field.fill(value);
  }
}

describe('an idea from initiator to decision, in Chromium', { timeout: 120_000 }, () => {
  it('the initiator logs in and sends an idea; empty fields get errors next to them; it reaches the coordinators at once', async () => {
    const anonymous = await browser.context({ locale: 'sv-SE' });
    const login = await anonymous.newPage();
    login.setDefaultTimeout(10_000);
    await login.goto(`${base}/login`);
    // The stylesheet is a served file, applied under the policy: the skip link is off screen.
    expect(await login.evaluate(() => getComputedStyle(document.querySelector('.skip')!).position)).toBe('absolute');
    await expectAccessible(login, 'log-in page');
    await screenshot(login, '01-login');
    await login.close();

    // The initiator uses the keyboard alone, from the log-in on.
    const page = await logInByKeyboard('initiator');
    const keys = keyboard(page);
    await expectAccessible(page, 'my cases');
    await keys.tabTo('Ny idé');
    await keys.enter();
    await keys.tabTo('Skicka in idén');
    await keys.enter();
    await expect.poll(() => page.locator('.error-summary').count()).toBe(1);
    expect(await page.locator('#idea-title').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#idea-title-error').textContent()).toContain('Fyll i det här fältet.');
    await expectAccessible(page, 'new idea with errors');
    await screenshot(page, '02-new-idea-errors');

    await keys.typeInto('idea-title', 'Kamratstöd för unga vuxna i Ronneby');
    await keys.typeInto('idea-summary', 'Unga vuxna med psykisk ohälsa får stöd av andra med egen erfarenhet.');
    await keys.tabTo('Skicka in idén');
    await keys.enter();
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}\?done=created/);
    caseId = /\/cases\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    // Sent means sent: the idea is with the coordinators, and the page says what happens next and who does it.
    expect(await page.locator('.status-panel .step-text').textContent()).toContain('steg 2 av 12');
    expect(await page.locator('#next-list').textContent()).toContain('görs av Länsamordnare');
    expect(await page.locator('#your-action').textContent()).toContain('Du behöver inte göra något i ärendet just nu.');
    await expectAccessible(page, 'case page, initiator');
    await screenshot(page, '03-case-initiator-step2');
  });

  it('the coordinator finds it on the board and assesses it as eligible, after checking the answers', async () => {
    const page = await logIn('coordinator');
    await page.goto(`${base}/board`);
    await expectAccessible(page, 'board');
    await page.getByLabel('Sök i rubrik, sammanfattning och diarienummer').fill('Ronneby');
    await page.getByRole('button', { name: 'Visa' }).click();
    expect(await page.locator('.board').textContent()).toContain('Kamratstöd för unga vuxna i Ronneby');
    await screenshot(page, '04-board');
    await page.getByRole('link', { name: 'Kamratstöd för unga vuxna i Ronneby' }).click();
    await page.locator('#your-action a.button').click();
    await page.getByLabel('Prioriterat område').selectOption({ label: 'Suicidprevention' });
    await page.locator('#ASSESS_ELIGIBLE-justification').fill('Passar överenskommelsens område suicidprevention.');
    await expectAccessible(page, 'an action of its own');
    await submit(page, 'ASSESS_ELIGIBLE');
    await page.locator('#check-answers').waitFor();
    expect(await page.locator('main').textContent()).toContain('Suicidprevention');
    await expectAccessible(page, 'check your answers');
    await screenshot(page, '04b-check-answers');
    // "Change" brings the form back as it was written.
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Ändra svaren' }).click()]);
    expect(await page.locator('#ASSESS_ELIGIBLE-justification').inputValue()).toBe('Passar överenskommelsens område suicidprevention.');
    await submitChecked(page, 'ASSESS_ELIGIBLE');
    await expectRecorded(page, 'Bedöm: i linje med överenskommelsen');
    expect(await page.locator('.step-text').first().textContent()).toContain('steg 3 av 12');
  });

  it('the initiator fills in the idea template with the keyboard only, from the list of what waits for them', async () => {
    const page = pages.initiator;
    const { focused, tabTo } = keyboard(page);
    // Coming back later, to the start page.
    await page.goto(`${base}/cases`);
    // What waits for the initiator (the count in the header says so), reached from the header by Tab.
    expect(await page.locator('header').textContent()).toMatch(/Att göra \(1/);
    await tabTo('/waiting', 20);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // The idea template, one Tab-walk away, then the case's own next action.
    await tabTo('Fyll i idémallen: Kamratstöd för unga vuxna i Ronneby');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await tabTo('Skicka in idébeskrivningen');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // Earlier answers are not asked for again: the title and the area are filled in.
    expect(await page.locator('#SUBMIT_IDEA_TEMPLATE-answers-title').inputValue()).toBe('Kamratstöd för unga vuxna i Ronneby');
    await tabTo('SUBMIT_IDEA_TEMPLATE-answers-title');
    const typeAndTab = async (text: string) => {
      if (text) await page.keyboard.type(text);
      await page.keyboard.press('Tab');
    };
    await page.keyboard.press('Tab'); // past the title, kept as it was
    await typeAndTab(''); // organisation: left empty on purpose
    await typeAndTab(''); // contact phone (optional)
    await typeAndTab('Unga vuxna blir ensamma med sin ohälsa.'); // problem
    await typeAndTab('Grupper som leds av personer med egen erfarenhet.'); // idea
    await typeAndTab('Unga vuxna 18–25 år'); // target group
    expect(await focused()).toBe('SUBMIT_IDEA_TEMPLATE-answers-priorityArea');
    await page.keyboard.press('Tab'); // the area the coordinators chose stands
    await typeAndTab('Ronneby kommun, RSMH'); // partners
    await typeAndTab('Peer supporters leder grupperna.'); // user participation
    await typeAndTab('Färre i isolering.'); // expected effects
    await typeAndTab('250000'); // estimated cost
    // The start date is left empty: Tab walks through its year, month and day to the button.
    await tabTo('Fortsätt', 6);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);

    // Sent back: the missing field says so, next to it, the summary has the focus, and nothing else was lost.
    expect(await page.locator('#SUBMIT_IDEA_TEMPLATE-answers-organisation-error').textContent()).toContain('Fyll i det här fältet.');
    expect(await page.locator('#SUBMIT_IDEA_TEMPLATE-answers-problem').inputValue()).toBe('Unga vuxna blir ensamma med sin ohälsa.');
    expect(await focused()).toBe('SUBMIT_IDEA_TEMPLATE-errors');
    // Amounts come back as they were written.
    expect(await page.locator('#SUBMIT_IDEA_TEMPLATE-answers-estimatedCostSek').inputValue()).toMatch(/^250[  ]?000$/);
    await expectAccessible(page, 'idea template with errors');
    await screenshot(page, '05-idea-template-errors');
    await tabTo('SUBMIT_IDEA_TEMPLATE-answers-organisation', 10);
    await page.keyboard.type('Ronneby kommun, socialtjänsten');
    await tabTo('Fortsätt', 20);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    // Check the answers, then send, still with the keyboard.
    expect(await page.locator('h1').textContent()).toBe('Kontrollera dina svar innan du skickar');
    expect(await page.locator('main').textContent()).toContain('Ronneby kommun, socialtjänsten');
    await tabTo('Bekräfta och skicka');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await expectRecorded(page, 'Skicka in idébeskrivningen');
    expect(caseState(t, caseId).steps).toEqual([4]);
  });

  it('the coordination group and the coordinator take it through steps 4 to 7; what is not possible yet says why', async () => {
    const coordinator = pages.coordinator;
    await act(coordinator, 'PLACE_ON_AGENDA');
    await coordinator.getByLabel('Mötesdatum').fill('2026-02-12');
    await submit(coordinator, 'PLACE_ON_AGENDA');
    await expectRecorded(coordinator, 'Sätt upp på samordningsgruppens dagordning');

    const group = await logIn('group');
    expect(await group.locator('#waiting + ul, #waiting ~ ul').first().textContent()).toContain('Kamratstöd för unga vuxna i Ronneby');
    await openCase(group);
    await group.locator('#your-action a.button').click();
    await fill(group, 'RECORD_COORDINATION_GROUP_REVIEW', {
      meetingDate: '2026-02-12',
      'actorsToInvolve.0.name': 'Ronneby kommun',
      'actorsToInvolve.0.kind': 'municipal',
      notes: 'Bjud in kommunens socialtjänst.',
    });
    await submitChecked(group, 'RECORD_COORDINATION_GROUP_REVIEW', ['Ronneby kommun']);
    await expectRecorded(group, 'Registrera samordningsgruppens genomgång');

    await act(coordinator, 'BOOK_DIALOGUE_FORUM');
    await fill(coordinator, 'BOOK_DIALOGUE_FORUM', {
      date: '2026-03-10',
      startTime: '13:00',
      endTime: '15:00',
      place: 'Kulturcentrum, Ronneby',
    });
    await submit(coordinator, 'BOOK_DIALOGUE_FORUM');
    await expectRecorded(coordinator, 'Boka dialogforum');
    // The dialogue forum: one row per forum role, the required ones accounted for.
    await act(coordinator, 'RECORD_DIALOGUE_FORUM');
    const attendance: Record<string, string> = { summary: 'Behovet bekräftades.' };
    for (let i = 0; i < 6; i++) attendance[`attendance.${i}.present`] = 'true';
    await fill(coordinator, 'RECORD_DIALOGUE_FORUM', attendance);
    await submitChecked(coordinator, 'RECORD_DIALOGUE_FORUM', ['Behovet bekräftades.']);
    await expectRecorded(coordinator, 'Registrera dialogforum och deltagare');
    await act(coordinator, 'SKIP_TARGET_GROUP_DIALOGUE');
    await fill(coordinator, 'SKIP_TARGET_GROUP_DIALOGUE', { reason: 'Målgruppen var med i dialogforumet.' });
    await submitChecked(coordinator, 'SKIP_TARGET_GROUP_DIALOGUE');
    await expectRecorded(coordinator, 'Hoppa över dialog med målgrupper');

    // Step 7: the proposal cannot start before a check-in, and the page says so.
    expect(await coordinator.locator('.not-yet').textContent()).toContain('Börja skriva fram underlaget');
    await screenshot(coordinator, '06-case-coordinator-step7');
    // Without a step of their own to take, the check-in is the coordinator's next action.
    await coordinator.locator('#your-action a.button', { hasText: 'Registrera avstämning med ledningsgrupp' }).click();
    await fill(coordinator, 'RECORD_CHECK_IN', {
      date: '2026-04-02',
      group: 'Ledningsgrupp socialtjänst Ronneby',
      notes: 'Ställer sig bakom.',
    });
    await submit(coordinator, 'RECORD_CHECK_IN');
    await coordinator.locator('#your-action a.button', { hasText: 'Börja skriva fram underlaget' }).click();
    await submitChecked(coordinator, 'START_PROPOSAL');
    await expectRecorded(coordinator, 'Börja skriva fram underlaget');
    expect(caseState(t, caseId).steps).toEqual([8]);
  });

  it('the coordinator writes the proposal and assesses the criteria; a stale form shows a conflict, never overwrites', async () => {
    const page = pages.coordinator;
    await openCase(page);
    // The proposal is written part by part on its own pages, then checked and sent.
    await page.getByRole('link', { name: 'Skriv förslaget' }).first().click();
    // The short ids of activities and indicators are not typed: they are made from their names.
    const proposal = Object.fromEntries(
      Object.entries(
        formValues(eventPayloads.UPDATE_PROPOSAL, FULL_PROPOSAL, {
          'budget.amountOre': { money: true },
          'scope.municipalities': { options: [] },
        }),
      ).filter(([name]) => !name.endsWith('.id')),
    );
    for (const part of PROPOSAL_PARTS) {
      await page.goto(`${base}/cases/${caseId}/proposal/${part.id}`);
      await fill(page, `part-${part.id}`, valuesOf(proposal, part.fields));
      await submit(page, `part-${part.id}`);
    }
    expect(page.url()).toBe(`${base}/cases/${caseId}/proposal/check`);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Skicka in förslaget' }).click()]);
    await expectRecorded(page, 'Uppdatera underlaget');
    expect(caseState(t, caseId).context.proposal.budget).toEqual(FULL_PROPOSAL.budget);

    // The criteria, one short form each on a page of their own; a save stays at its criterion.
    await act(page, 'ASSESS_CRITERION');
    // Two tabs on the same case: the second one's form is stale once the first has sent.
    const second = await page.context().newPage();
    await second.goto(`${base}/cases/${caseId}/do/ASSESS_CRITERION`);
    await fill(page, 'ASSESS_CRITERION-c1', { fulfilled: 'true', justification: 'Satsningen bryter utanförskap.' });
    await submit(page, 'ASSESS_CRITERION-c1');
    expect(page.url()).toMatch(/#criterion-c1$/);
    expect(await page.locator('#criterion-c1 .notice').textContent()).toContain('Bedömningen är sparad.');
    const before = caseState(t, caseId);
    await fill(second, 'ASSESS_CRITERION-c1', { fulfilled: 'false', justification: 'Skrivet i en gammal flik.' });
    await submit(second, 'ASSESS_CRITERION-c1');
    expect(await second.locator('#notice').textContent()).toContain('Någon annan har ändrat ärendet');
    // The conflict takes the focus, so it is heard at once.
    expect(await second.evaluate(() => document.activeElement?.id)).toBe('notice');
    expect(caseState(t, caseId).version).toBe(before.version);
    expect(caseState(t, caseId).context.criteria.c1?.fulfilled).toBe(true);
    // The page says what happened since, and what the user wrote is still there to look at.
    expect(await second.locator('main').textContent()).toContain('Det här har hänt i ärendet sedan du öppnade formuläret');
    expect(await second.locator('#ASSESS_CRITERION-c1-justification').inputValue()).toBe('Skrivet i en gammal flik.');
    await expectAccessible(second, 'conflict page');
    await screenshot(second, '07-conflict');
    await second.close();

    for (const c of ['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']) {
      await fill(page, `ASSESS_CRITERION-${c}`, { fulfilled: 'true', justification: `Kriterium ${c} är uppfyllt enligt underlaget.` });
      await submit(page, `ASSESS_CRITERION-${c}`);
    }
    await expectAccessible(page, 'the criteria');
    await openCase(page);
    await expectAccessible(page, 'case page, coordinator at step 8');
    await act(page, 'SUBMIT_TO_LSVO');
    await submitChecked(page, 'SUBMIT_TO_LSVO');
    await expectRecorded(page, 'Skicka underlaget till LSVO');
    expect(caseState(t, caseId).steps).toEqual([9]);
  });

  it('LSVO finds the case waiting, reads the printable proposal and recommends', async () => {
    const page = await logIn('lsvo');
    await expectAccessible(page, 'cases waiting for LSVO');
    await page.locator('#waiting ~ ul a', { hasText: 'Kamratstöd för unga vuxna i Ronneby' }).click();
    await page.getByRole('link', { name: 'Förslag och kriteriebedömning, utskriftsvänlig sida' }).click();
    expect(await page.locator('h1').textContent()).toContain('Förslag och kriteriebedömning');
    expect(await page.locator('table.criteria tbody tr').count()).toBe(8);
    expect(await page.locator('main').textContent()).toContain(FULL_PROPOSAL.purpose!);
    await expectAccessible(page, 'printable proposal');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, '08-print');
    await page.emulateMedia({ media: 'screen' });

    await openCase(page);
    await page.locator('#your-action a.button').click();
    await fill(page, 'RECORD_RECOMMENDATION', {
      recommendation: 'approve',
      motivation: 'LSVO tillstyrker satsningen.',
      'protocol.meetingDate': '2026-05-20',
      'protocol.paragraph': '§ 42',
      'protocol.diaryNumber': 'LSVO 2026/118',
    });
    await submitChecked(page, 'RECORD_RECOMMENDATION', ['LSVO tillstyrker satsningen.']);
    await expectRecorded(page, 'Registrera LSVO:s rekommendation');
  });

  it('the director decides, with the granted budget filled in from the proposal; the case is running', async () => {
    const page = await logIn('director');
    await openCase(page);
    await page.locator('#your-action a.button').click();
    expect(await page.locator('#RECORD_DECISION-grantedBudget-0-amountOre').inputValue()).toMatch(/^650[  ]?000$/);
    await fill(page, 'RECORD_DECISION', {
      decision: 'approve',
      motivation: 'Beviljas enligt rekommendationen.',
      followUpDates: '2026-12-01\n2027-06-01',
    });
    await expectAccessible(page, 'decision form');
    await submitChecked(page, 'RECORD_DECISION', ['Beviljas enligt rekommendationen.']);
    await expectRecorded(page, 'Registrera regiondirektörens beslut');
    await screenshot(page, '09-decided');
    const state = caseState(t, caseId);
    expect(state.steps).toEqual([10, 11, 12]);
    expect(state.context.decision?.grantedBudget).toEqual([
      { year: 2026, amountOre: 65_000_000 },
      { year: 2027, amountOre: 70_000_000 },
    ]);
    // The history names every step's actor, and the diagram marks where the case stands.
    const history = await page.locator('#history + table').textContent();
    for (const p of ['Ida Initiativ', 'Kim Länsamordnare', 'Sam Samordningsgrupp', 'Lo LSVO', 'Dana Direktör'])
      expect(history).toContain(p);
    expect(await page.locator('.diagram li.current').count()).toBe(3);
  });

  it('the initiator submits the follow-up report with the keyboard only, and the steering group reviews it', async () => {
    const page = pages.initiator;
    await openCase(page);
    // The report is the initiator's next action; Tab from the top of the page reaches it.
    const keys = keyboard(page);
    await keys.tabTo('Lämna uppföljningsrapport', 40);
    await keys.enter();
    // The first outstanding date is chosen already; the values are typed field by field.
    const indicator = caseState(t, caseId).context.proposal.indicators![0]!;
    await keys.typeInto('SUBMIT_FOLLOW_UP_REPORT-indicatorValues-0-indicatorId', indicator.name);
    await keys.typeInto('SUBMIT_FOLLOW_UP_REPORT-indicatorValues-0-value', '18');
    await keys.typeInto('SUBMIT_FOLLOW_UP_REPORT-spentToDateOre', '120 000');
    await keys.typeInto('SUBMIT_FOLLOW_UP_REPORT-done', 'Fyra grupper har träffats varje vecka.');
    await keys.typeInto('SUBMIT_FOLLOW_UP_REPORT-results', 'Fler deltagare har börjat studera.');
    expect(await page.locator('#SUBMIT_FOLLOW_UP_REPORT-indicatorValues-0-indicatorId').inputValue()).toBe(indicator.id);
    await expectAccessible(page, 'follow-up report form');
    await keys.tabTo('Lämna uppföljningsrapport');
    await keys.enter();
    await expectRecorded(page, 'Lämna uppföljningsrapport');
    expect(caseState(t, caseId).context.followUpReports).toHaveLength(1);

    const steering = await logIn('steering');
    await openCase(steering);
    await steering.locator('#your-action a.button').click();
    await fill(steering, 'RECORD_FOLLOW_UP', { conclusion: 'continue', narrative: 'Satsningen går enligt plan.' });
    await submitChecked(steering, 'RECORD_FOLLOW_UP', ['Satsningen går enligt plan.']);
    await expectRecorded(steering, 'Registrera uppföljning');
    expect(caseState(t, caseId).context.followUps).toHaveLength(1);
  });

  it('works for the initiator on a phone: nothing wider than the screen', async () => {
    const phone = await browser.context({
      locale: 'sv-SE',
      viewport: { width: 375, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const cookies = await pages.initiator.context().cookies();
    await phone.addCookies(cookies);
    const page = await phone.newPage();
    for (const url of ['/cases', `/cases/${caseId}`, '/cases/new']) {
      await page.goto(`${base}${url}`);
      const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      expect(scroll, url).toBeLessThanOrEqual(client);
    }
    await expectAccessible(page, 'case page on a phone');
    await screenshot(page, '10-phone-new-idea');
  });

  it('the programme-year report is a page of the site that prints, and the API reference works under its own policy', async () => {
    const page = pages.coordinator;
    await page.goto(`${base}/api/programmes/${PROGRAMME}/reports/2026?format=html`);
    expect(await page.locator('h1').textContent()).toContain('2026');
    expect(await page.locator('#initiatives tbody').textContent()).toContain('Kamratstöd för unga vuxna i Ronneby');
    // The site's stylesheet is applied: amounts are right-aligned.
    expect(
      await page
        .locator('#pools td.num')
        .first()
        .evaluate((td) => getComputedStyle(td).textAlign),
    ).toBe('right');
    // print.js shows the button and prints on a click (window.print is stood in for: headless has no dialog).
    const print = page.getByRole('button', { name: 'Skriv ut' });
    await print.waitFor({ state: 'visible' });
    await page.evaluate(() => {
      window.print = () => document.body.setAttribute('data-printed', 'yes');
    });
    await print.click();
    expect(await page.locator('body').getAttribute('data-printed')).toBe('yes');
    await expectAccessible(page, 'programme-year report');
    await screenshot(page, '11-programme-year-report');

    // Without JavaScript there is no button that would do nothing.
    const noScript = await browser.context({ locale: 'sv-SE', javaScriptEnabled: false });
    await noScript.addCookies(await page.context().cookies());
    const still = await noScript.newPage();
    await still.goto(`${base}/api/programmes/${PROGRAMME}/reports/2026?format=html`);
    expect(await still.locator('#initiatives tbody tr').count()).toBe(1);
    expect(await still.getByRole('button', { name: 'Skriv ut' }).count()).toBe(0);

    // /docs: Swagger UI renders the served document and calls the API from "Try it out", refused nothing.
    const docs = await (await browser.context({ locale: 'sv-SE' })).newPage();
    await docs.goto(`${base}/docs`);
    await docs.locator('.opblock').first().waitFor();
    expect(await docs.locator('.opblock').count()).toBeGreaterThan(20);
    const operation = docs.locator('#operations-process-get_api_process');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    await expect.poll(() => operation.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('200');
    await expectNoCspViolations(docs, 'API reference');
    await screenshot(docs, '12-api-reference');
  });

  it('settings and a missing page are accessible too', async () => {
    const page = pages.initiator;
    await page.goto(`${base}/settings`);
    await expectAccessible(page, 'settings');
    await page.goto(`${base}/cases/00000000-0000-4000-8000-000000000000`);
    expect(await page.locator('h1').textContent()).toBe('Sidan finns inte');
    await expectAccessible(page, 'not found');
  });
});

describe('accounts, a programme’s people and the audit, in Chromium', { timeout: 90_000 }, () => {
  const menu = (page: Page) => page.getByRole('navigation', { name: 'Huvudmeny' });
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

  it('the administrator finds a person, disables them with a reason after confirming, and sees it in the audit; the person is refused at once', async () => {
    // The person is logged in, in a browser of their own, before anything happens.
    const leaver = await logIn('leaver');
    const admin = await logIn('admin');
    await menu(admin).getByRole('link', { name: 'Personer' }).click();
    await admin.waitForURL(`${base}/people`);
    await expectAccessible(admin, 'the people of a programme');
    await admin.getByLabel('Sök på namn eller e-postadress').fill('pelle');
    await admin.getByRole('button', { name: 'Sök', exact: true }).click();
    expect(await admin.locator('main table tbody tr').count()).toBe(1);
    await screenshot(admin, '13-people');
    await admin.getByRole('link', { name: 'Pelle Paus' }).click();
    expect(await admin.locator('main dl').textContent()).toContain('Aktiv');
    await expectAccessible(admin, 'a person');

    // The reason is required: the summary takes the focus and links to the field.
    await admin.getByRole('link', { name: 'Stäng av kontot' }).click();
    await admin.getByRole('button', { name: 'Fortsätt' }).click();
    await expect.poll(() => focused(admin)).toBe('disable-errors');
    expect(await admin.locator('#reason-error').textContent()).toContain('Skriv en anledning');
    expect(await admin.locator('#reason').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(admin, 'an act on a person, with an error');
    await screenshot(admin, '14-disable-error');
    await admin.locator('.error-summary a[href="#reason"]').click();
    expect(await focused(admin)).toBe('reason');
    await admin.keyboard.type('Har slutat på regionen.');
    await admin.getByRole('button', { name: 'Fortsätt' }).click();

    // Confirmation first: nothing has happened yet.
    expect(await admin.locator('h1').textContent()).toBe('Vill du stänga av kontot för Pelle Paus?');
    expect(t.services.people.userByEmail(people.leaver.email)!.disabled).toBe(false);
    await expectAccessible(admin, 'confirmation before disabling');
    await screenshot(admin, '15-disable-confirm');
    await admin.getByRole('button', { name: 'Ja, stäng av kontot' }).click();
    await admin.waitForURL(/\/people\/[0-9a-f-]{36}\?done=disable$/);
    expect(await admin.locator('#notice').textContent()).toContain('Kontot för Pelle Paus är avstängt.');
    expect(await admin.locator('main dl').textContent()).toContain('Avstängd');

    // The audit says who did what to whom, and why, in words.
    await admin.getByRole('link', { name: 'Händelselogg för Pelle Paus' }).click();
    const entry = await admin.locator('main table tbody tr').first().textContent();
    for (const words of ['Ada Administratör', 'Stängde av kontot', 'Pelle Paus', 'Har slutat på regionen.']) expect(entry).toContain(words);
    await expectAccessible(admin, 'audit log');
    await screenshot(admin, '16-audit');

    // The person's own session is refused on its next page load: they are asked to log in.
    await leaver.goto(`${base}/cases`);
    expect(new URL(leaver.url()).pathname).toBe('/login');
    expect(await leaver.locator('h1').textContent()).toBe('Logga in i Satsa');
  });

  it('a person makes an API token on their account page, sees it once, revokes it, and ends their other log-ins', async () => {
    const elsewhere = await logIn('lsvo');
    const page = await logIn('lsvo');
    await menu(page).getByRole('link', { name: 'Mitt konto' }).click();
    await page.waitForURL(`${base}/account`);
    expect(await page.locator('tr.current').count()).toBe(1);
    expect(await page.locator('tr.current').textContent()).toContain('Den här');
    await expectAccessible(page, 'my account');
    await screenshot(page, '17-account');

    await page.getByRole('link', { name: 'Skapa en API-nyckel' }).click();
    await expectAccessible(page, 'new API token');
    await page.getByLabel('Namn på nyckeln').fill('Diariet');
    expect(await page.getByLabel('Hur många dagar ska nyckeln gälla?').inputValue()).toBe('90');
    await page.getByRole('button', { name: 'Skapa nyckeln' }).click();
    await page.waitForURL(/\/account\/tokens\/[0-9a-f-]{36}\/created$/);
    const token = await page.locator('#new-token').inputValue();
    expect(token).toMatch(/^satsa_/);
    expect(await page.locator('main').textContent()).toContain('Den visas bara den här gången');
    await expectAccessible(page, 'the new token, shown once');
    await screenshot(page, '18-token-once');
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { email: string }).email).toBe(people.lsvo.email);
    // Reloading does not show it again.
    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('Nyckeln kan inte visas igen');
    expect(await page.content()).not.toContain(token);

    // Revoking asks first.
    await page.getByRole('link', { name: 'Till dina API-nycklar' }).click();
    await page.getByRole('link', { name: 'Återkalla Diariet' }).click();
    expect(await page.locator('h1').textContent()).toBe('Vill du återkalla API-nyckeln ”Diariet”?');
    await expectAccessible(page, 'confirmation before revoking');
    await page.getByRole('button', { name: 'Ja, återkalla nyckeln' }).click();
    await page.waitForURL(`${base}/account?done=token-revoked`);
    expect(await page.locator('#notice').textContent()).toContain('API-nyckeln är återkallad');
    expect((await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    // Log out everywhere else: the other browser is asked to log in, this one goes on.
    await page.getByRole('button', { name: 'Logga ut överallt utom här' }).click();
    await page.waitForURL(`${base}/account?done=others-ended`);
    expect(await page.locator('#notice').textContent()).toContain('Du är utloggad överallt utom här.');
    expect(await page.locator('#sessions ~ table tbody tr').count()).toBe(1);
    await expectAccessible(page, 'my account after logging out elsewhere');
    await elsewhere.goto(`${base}/account`);
    expect(new URL(elsewhere.url()).pathname).toBe('/login');
    await page.goto(`${base}/cases`);
    expect(new URL(page.url()).pathname).toBe('/cases');
  });
});
