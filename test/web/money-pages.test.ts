import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/actor.js';
import {
  OTHER_PROGRAMME,
  PROGRAMME,
  advance,
  createCase,
  createTestApp,
  type TestApp,
  mainText,
  nothingWritten as nothingWrittenIn,
} from '../helpers.js';

/*
 * The money pages over HTTP: who reaches each, a programme's pools with every figure, a
 * correction, a carry-over and a distribution each checked on a page of its own before it is
 * recorded, and a case's money with the form the county coordinators and finance record
 * payments, repayments and releases with. Errors stand next to their fields, in the reader's
 * language; nothing is written before the last step. The browser suite checks the pages with axe.
 */

let t: TestApp;
let caseId: string;
let englishAdmin: Actor;
beforeAll(async () => {
  t = await createTestApp();
  caseId = await createCase(t, 'Pengar på sidorna');
  advance(t, caseId, storyUntilStep(10));
  englishAdmin = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: 'english.admin@test.satsa.se',
    displayName: 'English Admin',
    roles: ['administrator', 'county-coordinator'],
    language: 'en',
  });
});
afterAll(async () => {
  await t.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

/** A logged-in browser of `actor`: its own session, its forms with the session's CSRF token. */
function as(actor: Actor) {
  const session = t.services.people.createSession(actor.id, 8);
  const cookies = { satsa_session: session.token };
  return {
    get: (url: string) => t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } }),
    post: (url: string, fields: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url,
        cookies,
        headers: FORM,
        payload: new URLSearchParams({ _csrf: session.csrfToken, ...fields }).toString(),
      }),
  };
}
const admin = () => as(t.actors.administrator);
const coordinator = () => as(t.actors['county-coordinator']);
const poolId = (year: number, programmeId = PROGRAMME) =>
  (
    t.services.db.$client
      .prepare("SELECT id FROM grant_pools WHERE programme_id = ? AND year = ? AND kind = 'state'")
      .get(programmeId, year) as { id: string }
  ).id;
const nothingWritten = <T extends { statusCode: number; body: string }>(send: () => Promise<T>) => nothingWrittenIn(t, send);
/** The figures a page shows for `field`, in öre, in the order shown. */
const figures = (body: string, field: string) =>
  [...body.matchAll(new RegExp(`data-field="${field}" data-ore="(-?\\d+)"`, 'g'))].map((m) => Number(m[1]));
const figure = (body: string, field: string) => figures(body, field)[0];

describe('who reaches the money pages', () => {
  it('the programme’s roles read them, its administrators change pools, the county coordinators and finance record payments', async () => {
    const pages = [
      '/money',
      `/money/pools/${poolId(2026)}`,
      `/money/pools/${poolId(2026)}/correction`,
      `/money/pools/${poolId(2026)}/distribution`,
      '/money/carry-over',
      `/cases/${caseId}/money`,
      '/money/pools/new',
    ];
    const expected: Record<string, number[]> = {
      initiator: [403, 403, 403, 403, 403, 200, 403],
      otherInitiator: [403, 403, 403, 403, 403, 404, 403],
      steering: [200, 200, 403, 403, 403, 200, 403],
      coordinator: [200, 200, 403, 403, 403, 200, 403],
      admin: [200, 200, 200, 200, 200, 200, 200],
      foreign: [200, 404, 403, 403, 403, 404, 403],
    };
    const callers = {
      initiator: as(t.actors.initiator),
      otherInitiator: as(t.otherInitiator.actor),
      steering: as(t.actors['steering-group']),
      coordinator: coordinator(),
      admin: admin(),
      foreign: as(t.foreignCoordinator.actor),
    };
    const got: Record<string, number[]> = {};
    for (const [who, browser] of Object.entries(callers)) {
      got[who] = [];
      for (const url of pages) got[who].push((await browser.get(url)).statusCode);
    }
    expect(got).toEqual(expected);
    // Another programme's pool is not found from here.
    expect((await admin().get(`/money/pools/${poolId(2026, OTHER_PROGRAMME)}`)).statusCode).toBe(404);
    expect((await admin().get('/money/pools/not-a-pool')).statusCode).toBe(404);
    // Anonymous visitors log in first.
    const anonymous = await t.app.inject({ method: 'GET', url: '/money', headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fmoney');
    // The menu has "Pengar" for the programme's roles, not for an initiator.
    expect((await coordinator().get('/cases')).body).toContain('<a href="/money">Pengar</a>');
    expect((await as(t.actors.initiator).get('/cases')).body).not.toContain('href="/money"');
    // An initiator or the steering group may not record money.
    for (const who of [t.actors.initiator, t.actors['steering-group']]) {
      const browser = as(who);
      const res = await nothingWritten(() =>
        browser.post(`/cases/${caseId}/money`, { kind: 'payment', line: '2026:state', amountOre: '1', date: '2026-07-01' }),
      );
      expect(res.statusCode).toBe(403);
    }
  });
});

describe("a programme's pools", () => {
  it('lists every pool per year with every figure; a pool shows its corrections, carry-overs and distribution', async () => {
    const page = await coordinator().get('/money');
    expect(page.statusCode).toBe(200);
    const text = mainText(page.body);
    expect(text).toContain('Pengar i');
    for (const year of [2025, 2026, 2027, 2028]) expect(text).toContain(`Statsbidrag ${year}`);
    for (const label of [
      'Belopp från början',
      'Rättelser',
      'Överfört från året före',
      'Potten nu',
      'Beviljat',
      'Utbetalt',
      'Kvar att bevilja',
    ])
      expect(text).toContain(label);
    // One pool a year; the approved case's 650 000 kr of 2026 and 700 000 kr of 2027 are granted.
    expect(figures(page.body, 'committedOre')).toEqual([0, 65_000_000, 70_000_000, 0]);
    expect(figures(page.body, 'remainingOre')).toEqual([10_000_000_000, 9_935_000_000, 9_930_000_000, 10_000_000_000]);
    // Only administrators get the forms' buttons.
    expect(page.body).not.toContain('/money/carry-over');
    expect((await admin().get('/money')).body).toContain('href="/money/carry-over"');

    t.services.money.distributePool(PROGRAMME, t.actors.administrator.id, poolId(2027), {
      decidedBy: 'Länsgemensam chefsgrupp',
      decisionDate: '2026-01-29',
      reference: '§ 3',
      lines: [
        { scope: 'county', amountOre: 100_000_000, priorityAreaId: 'suicidprevention' },
        { scope: 'local', recipient: 'Ronneby', amountOre: 50_000_000 },
      ],
    });
    const pool = mainText((await coordinator().get(`/money/pools/${poolId(2027)}`)).body);
    expect(pool).toContain('Beslut av Länsgemensam chefsgrupp 2026-01-29, § 3');
    expect(pool).toContain('Länsgemensamt');
    expect(pool).toContain('Ronneby');
    expect(pool).toContain('Suicidprevention');
  });
});

describe('a correction, checked before it is recorded', () => {
  const url = () => `/money/pools/${poolId(2028)}/correction`;

  it('says what is wrong next to the field; checks the answers; records only when confirmed', async () => {
    const browser = admin();
    const empty = await nothingWritten(() => browser.post(url(), { changeOre: '' }));
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('class="alert error-summary"');
    expect(empty.body).toMatch(/id="money-changeOre-error"/);
    expect(empty.body).toMatch(/id="money-motivation-error"/);

    const below = await nothingWritten(() => browser.post(url(), { changeOre: '-100 000 001', motivation: 'För mycket.' }));
    expect(below.statusCode).toBe(422);
    expect(mainText(below.body)).toContain('Potten kan inte bli mindre än noll');

    const fields = { changeOre: '-50 000,50', motivation: 'Statsbidraget blev lägre.', reference: 'S2027/1' };
    const check = await nothingWritten(() => browser.post(url(), fields));
    expect(check.statusCode).toBe(200);
    const checkText = mainText(check.body);
    expect(checkText).toContain('Kontrollera rättelsen');
    expect(checkText).toMatch(/−50\s000,50\skr/);
    expect(checkText).toContain('Statsbidraget blev lägre.');

    // Going back to change keeps what was written.
    const change = await nothingWritten(() => browser.post(url(), { ...fields, _change: 'yes' }));
    expect(change.body).toContain('value="-50 000,50"');
    expect(change.body).toContain('Statsbidraget blev lägre.</textarea>');

    const done = await admin().post(url(), { ...fields, _confirm: 'yes' });
    expect(done.statusCode, done.body.slice(0, 500)).toBe(303);
    expect(done.headers.location).toBe(`/money/pools/${poolId(2028)}?done=corrected`);
    const pool = await admin().get(done.headers.location as string);
    expect(mainText(pool.body)).toContain('Rättelsen är registrerad.');
    expect(mainText(pool.body)).toContain('Statsbidraget blev lägre.');
    expect(figure(pool.body, 'correctionsOre')).toBe(-5_000_050);
    const audit = t.services.db.$client.prepare("SELECT reason FROM audit_log WHERE action = 'pool.corrected'").all();
    expect(audit).toEqual([{ reason: 'Statsbidraget blev lägre.' }]);
  });

  it('is in English for an English reader', async () => {
    const page = await as(englishAdmin).post(url(), { changeOre: '100', motivation: 'Extra.' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(mainText(page.body)).toContain('Check the correction');
    expect(mainText(page.body)).toContain('Record the correction');
  });
});

describe('a carry-over, checked before it is recorded', () => {
  it('needs next year’s pool, at most what is left; arrives as an incoming line', async () => {
    const browser = admin();
    const noNext = await nothingWritten(() =>
      browser.post('/money/carry-over', { fromYear: '2028', kind: 'state', amountOre: '1', reference: 'RS 1', motivation: 'Kvar.' }),
    );
    expect(noNext.statusCode).toBe(422);
    expect(mainText(noNext.body)).toContain('Lägg först upp Statsbidrag 2029');

    const fields = { fromYear: '2025', kind: 'state', amountOre: '25 000', reference: 'RS 2026/88', motivation: 'Medel kvar från 2025.' };
    const check = await nothingWritten(() => browser.post('/money/carry-over', fields));
    expect(check.statusCode).toBe(200);
    expect(mainText(check.body)).toContain('Kontrollera överföringen');
    const done = await admin().post('/money/carry-over', { ...fields, _confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/money?done=carried');
    const page = mainText((await admin().get('/money?done=carried')).body);
    expect(page).toContain('Överföringen är registrerad.');
    expect(page).toContain('Överfört till 2026');
    expect(page).toContain('Överfört från 2025');
  });
});

describe('a distribution of a pool, checked before it is recorded', () => {
  const url = () => `/money/pools/${poolId(2026)}/distribution`;
  const distributions = () =>
    t.services.db.$client.prepare('SELECT count(*) AS n FROM pool_distributions WHERE pool_id = ?').get(poolId(2026)) as { n: number };
  const head = { decidedBy: 'Regional ledningsgrupp', decisionDate: '2026-02-12', reference: 'RLG 2026/4' };
  /** The seed's decision: what is done county-wide, in a sub-region, and by a municipality itself. */
  const first = {
    ...head,
    motivation: 'Vi gör det gemensamt som är lika i hela länet.',
    'lines.0.scope': 'county',
    'lines.0.priorityAreaId': 'suicidprevention',
    'lines.0.amountOre': '1 000 000',
    'lines.1.scope': 'sub-regional',
    'lines.1.subRegion': 'Västra Blekinge',
    'lines.1.amountOre': '250 000,50',
    // An empty line is no line, wherever it stands.
    'lines.2.scope': '',
    'lines.2.amountOre': ' ',
    'lines.3.scope': 'local',
    'lines.3.municipality': 'Ronneby',
    'lines.3.priorityAreaId': 'barn-och-unga',
    'lines.3.amountOre': '400000',
  };

  it('is reached from the pool page; starts with one empty line; a button adds another', async () => {
    const pool = await admin().get(`/money/pools/${poolId(2026)}`);
    expect(pool.body).toContain(`href="${url()}"`);
    expect(mainText(pool.body)).toContain('Fördela potten');
    expect((await coordinator().get(`/money/pools/${poolId(2026)}`)).body).not.toContain(url());

    const form = await admin().get(url());
    expect(form.statusCode).toBe(200);
    const text = mainText(form.body);
    for (const label of [
      'Vem fattade beslutet?',
      'Beslutsdatum',
      'Beslutets diarienummer eller paragraf',
      'Rad 1',
      'Nivå',
      'Delregion',
      'Kommun',
    ])
      expect(text).toContain(label);
    expect(form.body).toContain('name="lines.0.scope"');
    expect(form.body).not.toContain('name="lines.1.scope"');
    expect(form.body).toContain('<option value="local">Lokalt: för en kommun</option>');
    expect(form.body).toContain('<option value="Ronneby">Ronneby</option>');
    expect(form.body).toContain('<option value="suicidprevention">Suicidprevention</option>');
    // Areas by their labels: no id is shown to a person.
    expect(text).not.toMatch(/suicidprevention|barn-och-unga/);
    // Enter in a field submits the form's first button: it goes on, it does not add a row.
    expect(/<button type="submit"[^>]*>([^<]*)<\/button>/.exec(/<main[\s\S]*<\/main>/.exec(form.body)![0])![1]).toBe('Fortsätt');

    const browser = admin();
    const more = await nothingWritten(() =>
      browser.post(url(), { ...head, 'lines.0.scope': 'county', 'lines.0.amountOre': '100', 'lines.1.scope': '', _add: 'yes' }),
    );
    expect(more.statusCode).toBe(200);
    expect(more.body).not.toContain('error-summary');
    expect(more.body).toContain('value="Regional ledningsgrupp"');
    expect(more.body).toContain('<option value="county" selected>');
    expect(more.body).toContain('name="lines.2.scope"');
    expect(more.body).not.toContain('name="lines.3.scope"');
  });

  it('refuses lines over the pool and a municipality not in the programme: every error at its field, nothing written', async () => {
    const browser = admin();
    const refused = await nothingWritten(() =>
      browser.post(url(), {
        ...head,
        'lines.0.scope': 'county',
        'lines.0.amountOre': '200 000 000',
        'lines.1.scope': '',
        'lines.2.scope': 'local',
        'lines.2.municipality': 'Stockholm',
        'lines.2.amountOre': '1',
      }),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('class="alert error-summary"');
    const text = mainText(refused.body);
    expect(text).toMatch(/Raderna blir tillsammans 200\s000\s001,00\skr\. Det är mer än de [\d\s]+,00\skr som potten har\./);
    expect(text).toContain('Stockholm är inte en av programmets kommuner. Välj en av dem.');
    // The summary links to the lines and to the municipality of the line (now the second: the empty one is gone).
    expect(refused.body).toContain('<a href="#money-lines">Fördelningen: Raderna blir');
    expect(refused.body).toContain('<a href="#money-lines-1-municipality">Kommun på rad 2: Stockholm');
    expect(refused.body).toMatch(/id="money-lines-1-municipality" name="lines.1.municipality" aria-invalid="true"/);
    // What was typed stays.
    expect(refused.body).toContain('value="200 000 000"');
    expect(refused.body).toContain('<option value="Stockholm" selected>Stockholm</option>');

    const wrong = await nothingWritten(() =>
      browser.post(url(), {
        decisionDate: '12 februari',
        'lines.0.scope': 'sub-regional',
        'lines.0.municipality': 'Karlshamn',
        'lines.0.amountOre': '0',
        'lines.1.scope': 'county',
        'lines.1.subRegion': 'Östra',
        'lines.1.amountOre': '12,345',
        'lines.2.amountOre': '5',
        'lines.3.scope': 'local',
        'lines.3.amountOre': '5',
        'lines.3.priorityAreaId': 'no-such-area',
      }),
    );
    expect(wrong.statusCode).toBe(422);
    const errors = [...wrong.body.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((x) => [x[1], x[2]]);
    expect(errors).toEqual([
      ['money-decidedBy', 'Vem fattade beslutet?: Fyll i det här fältet.'],
      ['money-decisionDate', 'Beslutsdatum: Ange ett datum som ÅÅÅÅ-MM-DD.'],
      ['money-reference', 'Beslutets diarienummer eller paragraf: Fyll i det här fältet.'],
      ['money-lines-0-amountOre', 'Belopp på rad 1: Ange mer än 0.'],
      ['money-lines-1-amountOre', 'Belopp på rad 2: Ange beloppet i kronor med högst två decimaler.'],
      ['money-lines-2-scope', 'Nivå på rad 3: Välj nivå: länsgemensamt, delregionalt eller lokalt.'],
      // A whole line's recipient and area are checked at once, with the rest.
      ['money-lines-3-municipality', 'Kommun på rad 4: Välj vilken kommun pengarna går till.'],
      ['money-lines-3-priorityAreaId', 'Prioriterat område på rad 4: Välj ett av programmets områden.'],
    ]);
    // Recipients, areas and lines given twice.
    const recipients = await nothingWritten(() =>
      browser.post(url(), {
        ...head,
        'lines.0.scope': 'sub-regional',
        'lines.0.municipality': 'Karlshamn',
        'lines.0.amountOre': '1',
        'lines.1.scope': 'county',
        'lines.1.subRegion': 'Östra',
        'lines.1.priorityAreaId': 'suicidprevention',
        'lines.1.amountOre': '1',
        'lines.2.scope': 'local',
        'lines.2.priorityAreaId': 'no-such-area',
        'lines.2.amountOre': '1',
        'lines.3.scope': 'county',
        'lines.3.amountOre': '1',
        'lines.4.scope': 'county',
        'lines.4.amountOre': '2',
      }),
    );
    expect(recipients.statusCode).toBe(422);
    expect([...recipients.body.matchAll(/<li><a href="#([^"]+)">([^<]+)<\/a><\/li>/g)].map((x) => x[1])).toEqual([
      'money-lines-0-subRegion',
      'money-lines-0-municipality',
      'money-lines-1-subRegion',
      'money-lines-2-municipality',
      'money-lines-2-priorityAreaId',
      'money-lines-4',
    ]);
    const said = mainText(recipients.body);
    expect(said).toContain('Skriv vilken delregion pengarna går till.');
    expect(said).toContain('En länsgemensam rad går inte till en viss delregion eller kommun.');
    expect(said).toContain('Välj vilken kommun pengarna går till.');
    expect(said).toContain('Välj ett av programmets områden.');
    expect(said).toContain('Samma nivå, mottagare och område står redan på en annan rad.');
    expect(said).not.toContain('no-such-area');

    const empty = await nothingWritten(() => browser.post(url(), { ...head, 'lines.0.scope': '', 'lines.0.amountOre': '' }));
    expect(empty.statusCode).toBe(422);
    expect(mainText(empty.body)).toContain('Fyll i minst en rad med nivå, mottagare och belopp.');
    // Confirming without the check page changes nothing either.
    const skipped = await nothingWritten(() => browser.post(url(), { ...first, 'lines.3.municipality': 'Stockholm', _confirm: 'yes' }));
    expect(skipped.statusCode).toBe(422);
    expect(distributions().n).toBe(0);
  });

  it('records it after the check page; a later decision starts from it, replaces it, and both are listed', async () => {
    const browser = admin();
    const check = await nothingWritten(() => browser.post(url(), first));
    expect(check.statusCode).toBe(200);
    const text = mainText(check.body);
    expect(text).toContain('Kontrollera fördelningen');
    expect(text).toContain('Regional ledningsgrupp');
    expect(text).toContain('RLG 2026/4');
    expect(text).toContain('Västra Blekinge');
    expect(text).toContain('Barn och ungas psykiska hälsa');
    expect(figures(check.body, 'lineOre')).toEqual([100_000_000, 25_000_050, 40_000_000]);
    expect(figure(check.body, 'totalOre')).toBe(165_000_050);
    const amount = t.services.money.pools(PROGRAMME).find((p) => p.id === poolId(2026))!.amountOre;
    expect(figure(check.body, 'undistributedOre')).toBe(amount - 165_000_050);
    expect(text).toContain('Registrera fördelningen');

    // "Change" goes back to the form with what was typed, the empty line gone.
    const change = await nothingWritten(() => browser.post(url(), { ...first, _change: 'yes' }));
    expect(change.statusCode).toBe(200);
    expect(change.body).toContain('value="250 000,50"');
    expect(change.body).toMatch(
      /name="lines.2.municipality"[^>]*><option value="">Ingen kommun<\/option>(<option value="[^"]+">[^<]+<\/option>)*<option value="Ronneby" selected>/,
    );
    expect(change.body).toContain('Vi gör det gemensamt som är lika i hela länet.</textarea>');

    const done = await admin().post(url(), { ...first, _confirm: 'yes' });
    expect(done.statusCode, done.body.slice(0, 500)).toBe(303);
    expect(done.headers.location).toBe(`/money/pools/${poolId(2026)}?done=distributed`);
    const pool = mainText((await admin().get(done.headers.location as string)).body);
    expect(pool).toContain('Fördelningen är registrerad.');
    expect(pool).toContain('Beslut av Regional ledningsgrupp 2026-02-12, RLG 2026/4');
    const detail = t.services.money.poolDetail(PROGRAMME, poolId(2026));
    expect(detail.distribution?.lines).toEqual([
      { scope: 'county', recipient: '', priorityAreaId: 'suicidprevention', amountOre: 100_000_000 },
      { scope: 'sub-regional', recipient: 'Västra Blekinge', priorityAreaId: null, amountOre: 25_000_050 },
      { scope: 'local', recipient: 'Ronneby', priorityAreaId: 'barn-och-unga', amountOre: 40_000_000 },
    ]);
    expect(detail.distribution?.motivation).toBe('Vi gör det gemensamt som är lika i hela länet.');

    // The next decision starts from the one in force, and one empty line.
    const again = await admin().get(url());
    expect(mainText(again.body)).toContain('Det som gäller nu är beslutet av Regional ledningsgrupp 2026-02-12, RLG 2026/4.');
    expect(again.body).toContain('value="250000,50"');
    expect(again.body).toContain('<option value="Ronneby" selected>');
    expect(again.body).toContain('name="lines.3.scope"');
    expect(again.body).not.toContain('name="lines.4.scope"');
    expect(again.body).not.toContain('value="RLG 2026/4"');

    const second = {
      decidedBy: 'Länsgemensam chefsgrupp',
      decisionDate: '2026-03-05',
      reference: '§ 7',
      'lines.0.scope': 'county',
      'lines.0.amountOre': '2 000 000',
      'lines.1.scope': 'local',
      'lines.1.municipality': 'Karlskrona',
      'lines.1.amountOre': '300 000',
    };
    const check2 = await nothingWritten(() => browser.post(url(), second));
    expect(mainText(check2.body)).toContain('Den ersätter beslutet av Regional ledningsgrupp 2026-02-12, RLG 2026/4.');
    expect((await admin().post(url(), { ...second, _confirm: 'yes' })).statusCode).toBe(303);
    const after = t.services.money.poolDetail(PROGRAMME, poolId(2026));
    expect(after.distribution?.reference).toBe('§ 7');
    expect(after.earlierDistributions.map((x) => x.reference)).toEqual(['RLG 2026/4']);
    const listed = mainText((await coordinator().get(`/money/pools/${poolId(2026)}`)).body);
    expect(listed).toMatch(
      /Beslut av Länsgemensam chefsgrupp 2026-03-05, § 7.*Tidigare beslut om fördelning.*Beslut av Regional ledningsgrupp 2026-02-12, RLG 2026\/4/,
    );
    const audit = t.services.db.$client.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'pool.distributed'").get() as {
      n: number;
    };
    expect(audit.n).toBe(3); // the two here and the one set up through the service above
  });

  it('is the administrator’s: a county coordinator or an initiator gets 403, and nothing is written', async () => {
    for (const who of [t.actors['county-coordinator'], t.actors.initiator, t.actors['steering-group']]) {
      const browser = as(who);
      expect((await browser.get(url())).statusCode).toBe(403);
      const res = await nothingWritten(() => browser.post(url(), { ...first, _confirm: 'yes' }));
      expect(res.statusCode).toBe(403);
    }
  });

  it('is in English for an English reader', async () => {
    const browser = as(englishAdmin);
    const form = await browser.get(url());
    expect(form.body).toContain('<html lang="en">');
    const text = mainText(form.body);
    expect(text).toContain('Distribute State grant 2026');
    expect(text).toContain('Who made the decision?');
    expect(form.body).toContain('<option value="sub-regional">Sub-regional: for a sub-region</option>');
    expect(text).toContain('Add a row');
    const refused = await nothingWritten(() =>
      browser.post(url(), { ...head, 'lines.0.scope': 'local', 'lines.0.municipality': 'Stockholm', 'lines.0.amountOre': '1' }),
    );
    expect(refused.statusCode).toBe(422);
    expect(mainText(refused.body)).toContain('Municipality on row 1: Stockholm is not one of the programme&#39;s municipalities.');
    const check = await nothingWritten(() => browser.post(url(), { ...head, 'lines.0.scope': 'county', 'lines.0.amountOre': '1.50' }));
    expect(check.statusCode).toBe(200);
    expect(mainText(check.body)).toContain('Check the distribution');
    expect(mainText(check.body)).toContain('Record the distribution');
    expect(figure(check.body, 'totalOre')).toBe(150);
  });
});

describe("a case's money", () => {
  it('a county coordinator records a payment in kronor; errors stand at their fields; the initiator reads it', async () => {
    const browser = coordinator();
    const caseBody = (await coordinator().get(`/cases/${caseId}`)).body;
    expect(caseBody).toContain(`href="/cases/${caseId}/money"`);

    const over = await nothingWritten(() =>
      browser.post(`/cases/${caseId}/money`, { kind: 'payment', line: '2026:state', amountOre: '650 000,01', date: '2026-07-01' }),
    );
    expect(over.statusCode).toBe(422);
    expect(mainText(over.body)).toContain('Det som är beviljat men inte utbetalt från potten är 650');
    const noReason = await nothingWritten(() =>
      browser.post(`/cases/${caseId}/money`, { kind: 'release', line: '2027:state', amountOre: '1', date: '2026-07-01' }),
    );
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toMatch(/id="movement-motivation-error"[^>]*>.*Skriv varför/);

    const paid = await coordinator().post(`/cases/${caseId}/money`, {
      kind: 'payment',
      line: '2026:state',
      amountOre: '100 000,50',
      date: '2026-07-01',
      reference: 'Ver 4711',
    });
    expect(paid.statusCode, paid.body.slice(0, 500)).toBe(303);
    expect(paid.headers.location).toBe(`/cases/${caseId}/money?done=payment`);
    const page = await as(t.actors.finance).get(paid.headers.location as string);
    expect(mainText(page.body)).toContain('Utbetalningen är registrerad.');
    expect(figure(page.body, 'paidOre')).toBe(10_000_050);
    expect(mainText(page.body)).toContain('Ver 4711');
    expect(mainText(page.body)).toContain('Test county-coordinator');

    // The initiator reads what was paid, without the form.
    const own = await as(t.actors.initiator).get(`/cases/${caseId}/money`);
    expect(figure(own.body, 'paidOre')).toBe(10_000_050);
    expect(own.body).not.toContain('<form method="post" action="/cases/');
  });
});

describe('a new pool', () => {
  const joint2027 = () =>
    t.services.db.$client
      .prepare("SELECT id, amount_ore FROM grant_pools WHERE programme_id = ? AND year = 2027 AND kind = 'joint'")
      .get(PROGRAMME) as { id: string; amount_ore: number } | undefined;
  const areas = () => t.services.programmes.get(PROGRAMME)!.priorityAreas;

  it('is set up by the administrator through the form and a page that checks it, with an earmark', async () => {
    const browser = admin();
    const form = await browser.get('/money/pools/new');
    expect(form.statusCode).toBe(200);
    expect(mainText(form.body)).toContain(`Öronmärkt för ${areas()[1]!.label.sv} (frivilligt)`);
    const fields = { year: '2027', kind: 'joint', name: 'Länsgemensam pott 2027', amountOre: '1 500 000', earmark1: '400 000' };
    const check = await nothingWritten(() => browser.post('/money/pools/new', fields));
    expect(check.statusCode).toBe(200);
    expect(mainText(check.body)).toContain('Kontrollera potten');
    expect(mainText(check.body)).toMatch(/1\s500\s000,00\skr/);
    const done = await browser.post('/money/pools/new', { ...fields, _confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/money?done=created');
    expect(joint2027()).toMatchObject({ amount_ore: 150_000_000 });
    const pool = t.services.money.pools(PROGRAMME, 2027).find((p) => p.kind === 'joint')!;
    expect(pool.earmarks).toEqual([expect.objectContaining({ priorityAreaId: areas()[1]!.id, amountOre: 40_000_000 })]);
    expect(mainText((await browser.get('/money?done=created')).body)).toContain('Potten är upplagd.');
  });

  it('is refused, with the reason next to the field, for a year outside the programme, earmarks over the amount, or a pool that exists', async () => {
    const browser = admin();
    const outside = await nothingWritten(() =>
      browser.post('/money/pools/new', { year: '2099', kind: 'state', name: 'För sent', amountOre: '10' }),
    );
    expect(outside.statusCode).toBe(422);
    expect(mainText(outside.body)).toMatch(/År: \S+ högst 2028/);
    const over = await nothingWritten(() =>
      browser.post('/money/pools/new', { year: '2028', kind: 'joint', name: 'För lite', amountOre: '10', earmark0: '20' }),
    );
    expect(over.statusCode).toBe(422);
    expect(mainText(over.body)).toContain('De öronmärkta beloppen blir 20,00 kr, mer än potten.');
    const again = await nothingWritten(() =>
      browser.post('/money/pools/new', { year: '2027', kind: 'joint', name: 'Igen', amountOre: '10', _confirm: 'yes' }),
    );
    expect(again.statusCode).toBe(422);
    expect(mainText(again.body)).toContain('har redan en sådan pott för 2027');
    const someoneElse = coordinator();
    const coordinatorTries = await nothingWritten(() =>
      someoneElse.post('/money/pools/new', { year: '2028', kind: 'joint', name: 'Nej', amountOre: '10', _confirm: 'yes' }),
    );
    expect(coordinatorTries.statusCode).toBe(403);
  });
});
