import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { eventPayloads } from '../../machines/case/schemas.js';
import { issueMessage } from '../../src/web/forms.js';
import { advance, createCase, createTestApp, mainText, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * Words on the case page as a person reads them: a year is written 2026, not "2 026"; a
 * decision's reference is called what it is, not a "source".
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the case page in plain words', () => {
  it('writes years as years and names the decision’s reference', async () => {
    const id = await createCase(t, 'Klarspråk');
    advance(
      t,
      id,
      FULL_STORY.map((s) =>
        s.type === 'RECORD_DECISION' ? ({ ...s, payload: { ...s.payload, reference: 'RS 2026/12 § 4' } } as typeof s) : s,
      ),
    );
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    const res = await t.app.inject({ url: `/cases/${id}`, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
    const section = /<section><h3>Regiondirektörens beslut<\/h3>([\s\S]*?)<\/section>/.exec(res.body)?.[1] ?? '';
    const text = mainText(`<main>${section}</main>`);
    expect(text).toContain('Beslutets diarienummer RS 2026/12 § 4');
    expect(text).not.toContain('Källa');
    expect(text).toMatch(/År 20\d\d\b/);
    expect(mainText(res.body)).not.toMatch(/\b20 \d\d\d\b/);
  });

  it('says a meeting booked 15:00–13:00 must end after it starts, and an end time alone needs a start', () => {
    const form = (payload: object) => {
      const parsed = eventPayloads.BOOK_DIALOGUE_FORUM.safeParse(payload);
      expect(parsed.success).toBe(false);
      return parsed.error!.issues.map((issue) => [issue.path.join('.'), issueMessage('sv', issue, payload)]);
    };
    expect(form({ date: '2026-03-10', startTime: '15:00', endTime: '13:00', place: 'Karlshamn' })).toEqual([
      ['endTime', 'Sluttiden måste vara senare än starttiden.'],
    ]);
    expect(form({ date: '2026-03-10', endTime: '13:00', place: 'Karlshamn' })).toEqual([
      ['startTime', 'Skriv en starttid när du skriver en sluttid.'],
    ]);
  });

  it('names a criterion by its label, never by its id', async () => {
    const id = await createCase(t, 'Kriterier');
    advance(t, id, storyUntilStep(8));
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    const res = await t.app.inject({ url: `/cases/${id}`, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
    const criterion = t.services.programmes.get(PROGRAMME)!.criteria[0]!;
    const text = mainText(res.body);
    expect(text).toContain(`Kriteriet ”${criterion.label.sv}”`);
    expect(text).not.toMatch(new RegExp(`Kriteriet ${criterion.id}\\b`));
  });

  it('marks what people wrote as Swedish on an English page, and only there', async () => {
    const id = await createCase(t, 'Samtalsgrupper för unga vuxna');
    const english = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: 'english.reader@test.satsa.se',
      displayName: 'English reader',
      roles: ['county-coordinator'],
      language: 'en',
    });
    const read = async (userId: string) => {
      const session = t.services.people.createSession(userId, 1);
      return (await t.app.inject({ url: `/cases/${id}`, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } }))
        .body;
    };
    const en = await read(english.id);
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('<h1><span class="text" lang="sv">Samtalsgrupper för unga vuxna</span></h1>');
    const sv = await read(t.actors['county-coordinator'].id);
    expect(sv).toContain('<h1><span class="text">Samtalsgrupper för unga vuxna</span></h1>');
    expect(sv).not.toContain('class="text" lang="sv"');
  });
});
