import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, mainText, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The accessibility statement the law asks of a public body's site: public, linked from the
 * foot of every page, in Swedish and English, with the known shortcomings and whom to tell.
 * Free-text fields say not to write sensitive personal data there.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the accessibility statement', () => {
  it('is public, says how accessible the service is, what is not, whom to tell and where to complain', async () => {
    const res = await t.app.inject({ url: '/accessibility', headers: { accept: 'text/html' } });
    expect(res.statusCode).toBe(200);
    const text = mainText(res.body);
    for (const words of [
      'Tillgänglighet för Satsa',
      'lagen om tillgänglighet till digital offentlig service (2018:1937)',
      'Det här är inte tillgängligt',
      'Samma innehåll finns som text direkt under bilden',
      'Myndigheten för digital förvaltning (DIGG)',
      'axe-core',
    ]) {
      expect(text).toContain(words);
    }
    expect(res.body).toContain(`href="mailto:${t.services.programmes.get(PROGRAMME)!.mailbox}"`);
    const english = await t.app.inject({ url: '/accessibility', headers: { accept: 'text/html', 'accept-language': 'en' } });
    expect(mainText(english.body)).toContain('The Agency for Digital Government (DIGG)');
  });

  it('is linked from the foot of every page, logged in or not', async () => {
    const login = await t.app.inject({ url: '/login', headers: { accept: 'text/html' } });
    expect(login.body).toContain('<footer><a href="/accessibility">Tillgänglighet</a></footer>');
    const session = t.services.people.createSession(t.actors.initiator.id, 1);
    const cases = await t.app.inject({ url: '/cases', cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
    expect(cases.body).toContain('<footer><a href="/accessibility">Tillgänglighet</a></footer>');
  });

  it('free-text fields warn not to write patients’ or other sensitive personal data', async () => {
    const session = t.services.people.createSession(t.actors.initiator.id, 1);
    const form = await t.app.inject({ url: '/cases/new', cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
    expect(form.body).toMatch(/<textarea[^>]*aria-describedby="[^"]*-help"/);
    expect(form.body).toContain('Skriv inte in uppgifter om patienter eller andra känsliga personuppgifter');
  });
});
