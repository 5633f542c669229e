import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { advance, createCase, createTestApp, mainText, type TestApp } from '../helpers.js';

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
});
