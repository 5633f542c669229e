import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCase, createTestApp, pageSession, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The retention page and the settings parts that set the rules and the archive settings, over
 * HTTP: each rule needs its decision, a change makes a new version, a run from the page is
 * recorded and shown, in Swedish and English, with no internal id on the page.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const DAY = 86_400_000;

describe('the retention pages', () => {
  it('an administrator sets the rules, is told when a decision is missing, runs them and sees the run', async () => {
    const admin = pageSession(t, t.actors.administrator);
    const page = await admin.get('/programme/retention');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Gallring</h1>');
    expect(page.body).toContain('Ingen regel. Ingenting tas bort.');
    expect(page.body).toContain('Ingenting har tagits bort än.');

    const form = await admin.get('/programme/settings/retention');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Gallringsbeslut');
    const version = /name="_version" value="(\d+)"/.exec(form.body)![1]!;
    // A period without its decision: the decision's field is named in the errors.
    const missing = await admin.post('/programme/settings/retention', {
      _version: version,
      'sentMail-days': '30',
      'sentMail-decision': '',
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('href="#sentMail-decision"');
    // With it: the check page, then a new version.
    const fields = {
      _version: version,
      'sentMail-days': '30',
      'sentMail-decision': 'RS 2025/311',
      'logins-months': '6',
      'logins-decision': 'RS 2025/312',
      'closedCases-years': '',
      'closedCases-decision': '',
    };
    const check = await admin.post('/programme/settings/retention', fields);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('Tas bort 30 dygn efter att den skickades.');
    const saved = await admin.post('/programme/settings/retention', { ...fields, confirm: 'yes', note: 'Beslut i regionstyrelsen.' });
    expect(saved.statusCode).toBe(303);
    expect(t.services.programmes.get(PROGRAMME)!.retention).toEqual({
      sentMail: { days: 30, decision: 'RS 2025/311' },
      logins: { months: 6, decision: 'RS 2025/312' },
    });
    const versions = await admin.get('/programme/settings/versions');
    expect(versions.body).toContain('gallring');

    // The archive settings: changed, and left out altogether.
    const archiveForm = await admin.get('/programme/settings/archive');
    expect(archiveForm.body).toContain('Region Blekinge');
    const v2 = /name="_version" value="(\d+)"/.exec(archiveForm.body)![1]!;
    const archive = {
      _version: v2,
      'archive-name': 'Region Blekinge',
      'archive-organisationNumber': '2321000057',
      'archive-classificationCode': '2.4.1',
      'archive-keepUntilDelivered': 'yes',
    };
    const bad = await admin.post('/programme/settings/archive', archive);
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('href="#archive-organisationNumber"');
    const good = { ...archive, 'archive-organisationNumber': '232100-0057', 'archive-keepUntilDelivered': undefined, confirm: 'yes' };
    expect((await admin.post('/programme/settings/archive', good)).statusCode).toBe(303);
    expect(t.services.programmes.get(PROGRAMME)!.archive).toEqual({
      recordsCreator: { name: 'Region Blekinge', organisationNumber: '232100-0057' },
      classificationCode: '2.4.1',
      keepUntilDelivered: false,
    });

    // Mail sent 31 days ago, then a run from the page.
    t.clock.advance(-31 * DAY);
    await createCase(t, 'En gammal idé');
    await t.services.relay.drain();
    t.clock.advance(31 * DAY);
    const before = await admin.get('/programme/retention');
    expect(before.body).toContain('RS 2025/311');
    const ran = await admin.post('/programme/retention/run', {});
    expect(ran.statusCode).toBe(303);
    expect(ran.headers.location).toMatch(/^\/programme\/retention\?done=ran&removed=[1-9]/);
    const after = await admin.get(String(ran.headers.location));
    expect(after.body).toContain('Gallringen är klar.');
    expect(after.body).toMatch(/E-post: [1-9]/);
    // No internal id: not the run's, the programme's nor a rule's name.
    const runId = (t.services.db.$client.prepare('SELECT id FROM retention_runs').get() as { id: string }).id;
    for (const internal of [runId, PROGRAMME, 'sentMail', 'closedCases', 'logins']) expect(after.body).not.toContain(`>${internal}<`);
    expect(after.body).not.toContain(runId);

    // In English, for an administrator who reads English.
    t.services.people.updatePreferences(t.actors.administrator.id, { language: 'en' });
    const english = await pageSession(t, t.actors.administrator).get('/programme/retention');
    expect(english.body).toContain('<h1>Retention rules</h1>');
    expect(english.body).toContain('Removed 30 days after it was sent.');
  });

  it('is the administrator’s only', async () => {
    const coordinator = pageSession(t, t.actors['county-coordinator']);
    expect((await coordinator.get('/programme/retention')).statusCode).toBe(403);
    expect((await coordinator.post('/programme/retention/run', {})).statusCode).toBe(403);
  });
});
