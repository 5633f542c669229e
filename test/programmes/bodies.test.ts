import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import { createRenderer } from '../../src/mail/render.js';
import { messageKind } from '../../src/notifications/rules.js';
import { inProgrammeWords, t as translate } from '../../src/i18n/index.js';
import { wordsOf } from '../../src/programmes/config.js';
import { advance, auth, createCase, createTestApp, json, OTHER_PROGRAMME, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * Each programme names its own bodies: a programme that calls its decider "förbundsdirektören"
 * reads that on its pages, in its case labels and in its e-mail; another programme keeps
 * Blekinge's names.
 */

let t: TestApp;
let ours: string;
beforeAll(async () => {
  t = await createTestApp();
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change(
    {
      ...config,
      bodies: {
        ...config.bodies,
        decider: {
          sv: { name: 'förbundsdirektören', genitive: 'förbundsdirektörens' },
          en: { name: 'the federation director', genitive: "the federation director's" },
        },
        recommender: {
          sv: { name: 'beredningsgruppen', genitive: 'beredningsgruppens' },
          en: { name: 'the drafting group', genitive: "the drafting group's" },
        },
      },
      roleLabels: { 'regional-director': { sv: 'Förbundsdirektör', en: 'Federation director' } },
    },
    t.actors.administrator.id,
    'Egna namn',
  );
  ours = await createCase(t, 'Egna namn på organen');
  // Up to the decision: the recommendation is recorded, the director is to decide.
  advance(t, ours, storyUntilStep(10).slice(0, -1));
});
afterAll(async () => {
  await t.close();
});

const labelsOf = async (caseId: string, token: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: auth(token) });
  const view = json<{ allowedEvents: { label: string }[]; blockedEvents: { label: string }[] }>(res);
  return [...view.allowedEvents, ...view.blockedEvents].map((e) => e.label);
};

describe("a programme's own names for its bodies", () => {
  it('label the events of its cases in the API, in Swedish and English', async () => {
    expect(await labelsOf(ours, t.tokens['regional-director'])).toContain('Registrera förbundsdirektörens beslut');
    expect(await labelsOf(ours, t.tokens['regional-director'])).toContain('Skicka underlaget till beredningsgruppen');
    // The API answers in the caller's own language; English reads the same names.
    const words = wordsOf(t.services.programmes.get(PROGRAMME)!);
    expect(inProgrammeWords(words, () => translate('en', 'events.RECORD_DECISION'))).toBe("Record the federation director's decision");
    expect(inProgrammeWords(words, () => translate('en', 'states.open/preparation/decision/awaitingRecommendation'))).toBe(
      "Awaiting the drafting group's recommendation",
    );
  });

  it('stand on its case pages, roles included', async () => {
    const session = t.services.people.createSession(t.actors['regional-director'].id, 1);
    const res = await t.app.inject({
      method: 'GET',
      url: `/cases/${ours}`,
      cookies: { satsa_session: session.token },
      headers: { accept: 'text/html' },
    });
    expect(res.body).toContain('förbundsdirektörens beslut');
    expect(res.body).toContain('Förbundsdirektör');
    expect(res.body).toContain('<h3>Beredningsgruppens rekommendation</h3>');
    expect(res.body).not.toMatch(/[Rr]egiondirektör/);
    // What people wrote may name LSVO; what Satsa writes does not.
    expect(res.body).not.toMatch(/LSVO:s|underlaget till LSVO|Registrera LSVO/);
  });

  it('stand in its e-mail', async () => {
    const row = t.services.db.$client
      .prepare("SELECT kind, language, data FROM outbox WHERE case_id = ? AND kind = 'recommendation-recorded' LIMIT 1")
      .get(ours) as { kind: string; language: 'sv' | 'en'; data: string };
    const mail = createRenderer(messageKind).render(row.kind, row.language, JSON.parse(row.data) as Record<string, unknown>);
    expect(`${mail.subject}\n${mail.text}`).toContain('Beredningsgruppens rekommendation');
    expect(mail.text).toContain('Beredningsgruppen har lämnat sin rekommendation');
    expect(mail.text).toMatch(/avviker från beredningsgruppens rekommendation/);
    expect(`${mail.text}${mail.html}`).not.toMatch(/LSVO har|LSVO:s/);
  });

  it("leave another programme's names as they were", async () => {
    const initiator = await t.services.people.createUser({
      programmeId: OTHER_PROGRAMME,
      email: 'annan.initiativtagare@test.satsa.se',
      displayName: 'Annan initiativtagare',
      roles: ['initiator'],
    });
    const other = t.services.cases.create(initiator, { programmeId: OTHER_PROGRAMME, title: 'Andra namn', summary: 'Kort.' }, 'sv');
    const labels = [...other.allowedEvents, ...other.blockedEvents].map((e) => e.label);
    expect(labels).toContain('Registrera regiondirektörens beslut');
    expect(labels).toContain('Skicka underlaget till LSVO');
  });
});
