import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../src/i18n/index.js';
import { PROGRAMME, createTestApp, mainText, type TestApp } from '../helpers.js';

/*
 * One page for everything that is not there: an address nobody serves, a case that does not
 * exist (or that the reader may not see), a year without a report. The same heading and the
 * GOV.UK pattern's text (check the address, go to the start), in Swedish and English.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const HEADING: Record<Language, string> = { sv: 'Sidan finns inte', en: 'Page not found' };
const START: Record<Language, string> = { sv: 'Gå till startsidan', en: 'Go to the start page' };

async function read(lang: Language, url: string) {
  const actor = t.actors['county-coordinator'];
  t.services.people.updatePreferences(actor.id, { language: lang });
  const session = t.services.people.createSession(actor.id, 1);
  const res = await t.app.inject({ url, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
  return { status: res.statusCode, h1: /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(res.body)?.[1], text: mainText(res.body) };
}

describe('not found', () => {
  it.each(['sv', 'en'] as const)('is one page with one heading in %s, whatever was not found', async (lang) => {
    const pages = await Promise.all(
      [
        '/no-such-page',
        '/cases/00000000-0000-4000-8000-000000000000',
        '/cases/not-a-case',
        '/cases/00000000-0000-4000-8000-000000000000/print',
        `/programmes/${PROGRAMME}/reports/2031`,
      ].map((url) => read(lang, url)),
    );
    for (const page of pages) {
      expect(page.status).toBe(404);
      expect(page.h1).toBe(HEADING[lang]);
      expect(page.text).toContain(START[lang]);
    }
    expect(pages[0]!.text).toBe(pages[1]!.text);
    expect(pages[0]!.text).toContain(lang === 'sv' ? 'kontrollera att den är rätt' : 'check it is correct');
  });

  it('is the same page for a visitor who is not logged in, in the language the browser asks for', async () => {
    for (const [lang, accept] of [
      ['sv', 'sv-SE,sv;q=0.9'],
      ['en', 'en-GB,en;q=0.9'],
    ] as const) {
      const res = await t.app.inject({ url: '/no-such-page', headers: { accept: 'text/html', 'accept-language': accept } });
      expect(res.statusCode).toBe(404);
      expect(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(res.body)?.[1]).toBe(HEADING[lang]);
    }
  });
});
