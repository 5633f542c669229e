import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { PLAN_MESSAGE_KINDS } from '../../src/notifications/plan-messages.js';
import { NOTIFICATION_KINDS, NOTIFICATION_RULES, OPTIONAL_KINDS } from '../../src/notifications/rules.js';
import type { Actor } from '../../src/people/service.js';
import { advance, auth, createCase, createTestApp, json, PROGRAMME, sendEvent, tableCounts, type TestApp } from '../helpers.js';

/*
 * Who may turn what off: the rules as the API tells them, a user's language and muted
 * kinds, and what that does to the mail they get. Mail goes to .eml files (no SMTP set).
 */

let t: TestApp;

interface RuleView {
  kind: string;
  on: unknown[];
  to: unknown[];
  mandatory: boolean;
  canBeTurnedOff: boolean;
  label: string;
  variables: string[];
}
interface Preferences {
  language: string;
  mutedNotifications: string[];
  optionalNotifications: string[];
}
interface ProblemBody {
  code: string;
  status: number;
  title: string;
  errors?: { path: string; message: string }[];
}
interface OutboxRow {
  id: string;
  message_id: string;
  kind: string;
  source: string;
  language: string;
  recipient_user_id: string | null;
  to_address: string;
  status: string;
}

const PROBLEM_JSON = /^application\/problem\+json/;
const storyStep = (type: string) => {
  const s = FULL_STORY.find((x) => x.type === type)!;
  return { type: s.type, payload: s.payload };
};

const sqlite = () => t.services.db.$client;
const userRow = (id: string) => sqlite().prepare('SELECT * FROM users WHERE id = ?').get(id);
const outboxOf = (caseId: string) =>
  sqlite().prepare('SELECT * FROM outbox WHERE case_id = ? ORDER BY created_at, id').all(caseId) as OutboxRow[];
const caseVersion = (caseId: string) =>
  (sqlite().prepare('SELECT version FROM cases WHERE id = ?').get(caseId) as { version: number }).version;

function patchPreferences(token: string, payload: unknown, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: { ...auth(token), ...headers }, payload: payload as object });
}

async function setPreferences(token: string, payload: { language?: 'sv' | 'en'; mutedNotifications?: string[] }) {
  const res = await patchPreferences(token, payload);
  expect(res.statusCode, res.body).toBe(200);
  return json<Preferences>(res);
}

/** Every message the file transport has written, by Message-ID. */
async function writtenMail(): Promise<Map<string, ParsedMail>> {
  const dir = path.join(t.dir, 'mail');
  const out = new Map<string, ParsedMail>();
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))) {
    const mail = await simpleParser(fs.readFileSync(path.join(dir, name)));
    out.set(mail.messageId!, mail);
  }
  return out;
}

/** The addresses a parsed message was sent to. */
const recipientsOf = (mail: ParsedMail) =>
  (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));

/** A case of `token`'s initiator, created over HTTP. */
async function caseOf(token: string, title: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: auth(token),
    payload: { title, summary: 'En idé att pröva.' },
  });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ id: string; diaryNumber: string }>(res);
}

let participantCount = 0;
/** A new, unmuted, Swedish-speaking user added to the case as a participant. */
async function addParticipant(caseId: string, token: string): Promise<Actor> {
  participantCount += 1;
  const user = await t.services.people.createUser({
    programmeId: PROGRAMME,
    email: `participant-${participantCount}@test.satsa.se`,
    displayName: `Deltagare ${participantCount}`,
    roles: ['initiator'],
  });
  const res = await sendEvent(t, caseId, token, { type: 'ADD_PARTICIPANT', payload: { userId: user.id } });
  expect(res.statusCode, res.body).toBe(200);
  return user;
}

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t.close();
});

describe('GET /api/notifications/rules', () => {
  it('without a session or token is 401 problem+json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/notifications/rules' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(json<ProblemBody>(res)).toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('lists every kind once, with its triggers, recipients, whether it can be turned off, and a Swedish label for a Swedish user', async () => {
    await setPreferences(t.tokens.initiator, { language: 'sv' });
    const res = await t.app.inject({ method: 'GET', url: '/api/notifications/rules', headers: auth(t.tokens.initiator) });
    expect(res.statusCode, res.body).toBe(200);
    const { rules: all, planCommonVariables } = json<{ rules: (RuleView & { about: string })[]; planCommonVariables: string[] }>(res);
    expect(all.map((r) => r.kind)).toEqual([...NOTIFICATION_KINDS, ...PLAN_MESSAGE_KINDS]);
    expect(new Set(all.map((r) => r.kind)).size).toBe(all.length);
    // The plan's assignments: reminded before their date, escalated after it; neither can be turned off.
    const plan = all.filter((r) => r.about === 'plan');
    expect(plan.map(({ kind, on, to, canBeTurnedOff, label }) => ({ kind, on, to, canBeTurnedOff, label }))).toEqual([
      {
        kind: 'assignment-due',
        on: [{ assignmentTimer: 'assignment-reminder' }],
        to: [{ programme: 'mailbox' }, { role: 'county-coordinator' }],
        canBeTurnedOff: false,
        label: 'Påminnelse innan ett uppdrag i planen ska vara klart',
      },
      {
        kind: 'assignment-overdue',
        on: [{ assignmentTimer: 'assignment-overdue' }],
        to: [{ programme: 'mailbox' }, { role: 'county-coordinator' }, { role: 'steering-group' }],
        canBeTurnedOff: false,
        label: 'Ett uppdrag i planen är försenat',
      },
    ]);
    expect(planCommonVariables).toContain('planUrl');
    const rules = all.filter((r) => r.about === 'case');
    for (const rule of rules) {
      const source = NOTIFICATION_RULES.find((r) => r.kind === rule.kind)!;
      expect(rule.mandatory, rule.kind).toBe(source.mandatory);
      expect(rule.canBeTurnedOff, rule.kind).toBe(!source.mandatory);
      expect(rule.on, rule.kind).toEqual(source.on);
      expect(rule.to, rule.kind).toEqual(source.to);
      expect(rule.on.length, rule.kind).toBeGreaterThan(0);
      expect(rule.to.length, rule.kind).toBeGreaterThan(0);
      // A real translation, not the key it falls back to.
      expect(rule.label, rule.kind).not.toContain(rule.kind);
      expect(rule.label.length, rule.kind).toBeGreaterThan(5);
    }
    // Only the informational messages can be turned off.
    expect(
      rules
        .filter((r) => r.canBeTurnedOff)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['case-withdrawn', 'comment-added', 'step-changed']);
    expect(rules.find((r) => r.kind === 'step-changed')!.label).toBe('Ärendet har gått till ett nytt steg');
    expect(rules.find((r) => r.kind === 'decision-recorded')!.label).toBe('Beslut är fattat');
  });

  it("labels the rules in the caller's own language once they switch to English, whatever Accept-Language says", async () => {
    const token = t.tokens['steering-group'];
    const get = () =>
      t.app.inject({ method: 'GET', url: '/api/notifications/rules', headers: { ...auth(token), 'accept-language': 'sv-SE,sv;q=0.9' } });
    const swedish = json<{ rules: RuleView[] }>(await get()).rules;
    await setPreferences(token, { language: 'en' });
    try {
      const res = await get();
      expect(res.statusCode, res.body).toBe(200);
      const english = json<{ rules: RuleView[] }>(res).rules;
      expect(english.map((r) => r.kind)).toEqual([...NOTIFICATION_KINDS, ...PLAN_MESSAGE_KINDS]);
      expect(english.find((r) => r.kind === 'step-changed')!.label).toBe('The case has moved to a new step');
      expect(english.find((r) => r.kind === 'decision-recorded')!.label).toBe('A decision has been made');
      // Every label is translated: none is the same in both languages.
      for (const rule of english) {
        expect(rule.label, rule.kind).not.toBe(swedish.find((r) => r.kind === rule.kind)!.label);
      }
    } finally {
      await setPreferences(token, { language: 'sv' });
    }
  });
});

describe('PATCH /api/me/preferences', () => {
  it('without a session or token is 401 problem+json, for GET and PATCH alike', async () => {
    for (const method of ['GET', 'PATCH'] as const) {
      const res = await t.app.inject({
        method,
        url: '/api/me/preferences',
        ...(method === 'PATCH' ? { payload: { language: 'en' } } : {}),
      });
      expect(res.statusCode, `${method} ${res.body}`).toBe(401);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(json<ProblemBody>(res).code).toBe('unauthenticated');
    }
  });

  it('turns an informational kind off and on again, and GET shows each change', async () => {
    const token = t.tokens['local-coordinator'];
    const get = async () => json<Preferences>(await t.app.inject({ method: 'GET', url: '/api/me/preferences', headers: auth(token) }));
    expect(await get()).toEqual({ language: 'sv', mutedNotifications: [], optionalNotifications: OPTIONAL_KINDS });

    const off = await setPreferences(token, { mutedNotifications: ['step-changed'] });
    expect(off.mutedNotifications).toEqual(['step-changed']);
    expect(await get()).toMatchObject({ language: 'sv', mutedNotifications: ['step-changed'] });

    // Changing only the language keeps what is muted.
    await setPreferences(token, { language: 'en' });
    expect(await get()).toMatchObject({ language: 'en', mutedNotifications: ['step-changed'] });

    await setPreferences(token, { language: 'sv', mutedNotifications: [] });
    expect(await get()).toMatchObject({ language: 'sv', mutedNotifications: [] });
  });

  describe('rejects and writes nothing', () => {
    const token = () => t.tokens['lsvo-secretary'];
    const id = () => t.actors['lsvo-secretary'].id;

    async function expectRejected(payload: unknown, paths: string[]) {
      const counts = tableCounts(t);
      const before = userRow(id());
      const res = await patchPreferences(token(), payload);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      const body = json<ProblemBody>(res);
      expect(body).toMatchObject({ code: 'validation-failed', status: 422 });
      expect((body.errors ?? []).map((e) => e.path)).toEqual(paths);
      expect(tableCounts(t)).toEqual(counts);
      expect(userRow(id())).toEqual(before);
      return body;
    }

    beforeAll(async () => {
      // Something to lose: a muted kind and a language a bad request must not reset.
      await setPreferences(t.tokens['lsvo-secretary'], { language: 'en', mutedNotifications: ['case-withdrawn'] });
    });

    it('turning off a kind that requires an action (decision-recorded) is 422 naming that entry', async () => {
      const body = await expectRejected({ language: 'sv', mutedNotifications: ['step-changed', 'decision-recorded'] }, [
        'body.mutedNotifications.1',
      ]);
      expect(body.errors![0]!.message).toContain('decision-recorded');
      // Every mandatory kind is refused, each at its own place.
      const mandatory = NOTIFICATION_KINDS.filter((k) => !OPTIONAL_KINDS.includes(k));
      await expectRejected(
        { mutedNotifications: mandatory },
        mandatory.map((_, i) => `body.mutedNotifications.${i}`),
      );
    });

    it('an unknown kind is 422 naming that entry', async () => {
      await expectRejected({ mutedNotifications: ['step-changed', 'no-such-kind'] }, ['body.mutedNotifications.1']);
    });

    it('an unknown field is 422 naming the field', async () => {
      const body = await expectRejected({ language: 'sv', theme: 'dark' }, ['body']);
      expect(body.errors![0]!.message).toContain('theme');
    });

    it('a language other than sv or en is 422 naming the field', async () => {
      await expectRejected({ language: 'de' }, ['body.language']);
    });

    it('left the earlier settings as they were', async () => {
      const prefs = json<Preferences>(await t.app.inject({ method: 'GET', url: '/api/me/preferences', headers: auth(token()) }));
      expect(prefs).toMatchObject({ language: 'en', mutedNotifications: ['case-withdrawn'] });
    });
  });

  describe('with a log-in session', () => {
    const EMAIL = 'session-user@test.satsa.se';
    const PASSWORD = 'a-long-password-for-tests';
    let user: Actor;
    let cookie: string;
    let csrfToken: string;

    beforeAll(async () => {
      user = await t.services.people.createUser({
        programmeId: PROGRAMME,
        email: EMAIL,
        displayName: 'Session user',
        password: PASSWORD,
        roles: ['initiator'],
      });
      const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: EMAIL, password: PASSWORD } });
      expect(res.statusCode, res.body).toBe(200);
      cookie = `satsa_session=${res.cookies.find((c) => c.name === 'satsa_session')!.value}`;
      csrfToken = json<{ csrfToken: string }>(res).csrfToken;
    });

    it('a PATCH without the X-CSRF-Token (or with a wrong one) is 403 and changes nothing; with it, it is saved', async () => {
      const before = userRow(user.id);
      const counts = tableCounts(t);
      for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'not-the-token' }]) {
        const res = await t.app.inject({
          method: 'PATCH',
          url: '/api/me/preferences',
          headers,
          payload: { mutedNotifications: ['step-changed'] },
        });
        expect(res.statusCode, res.body).toBe(403);
        expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
        expect(json<ProblemBody>(res)).toMatchObject({ code: 'csrf-token-invalid', status: 403 });
      }
      expect(userRow(user.id)).toEqual(before);
      expect(tableCounts(t)).toEqual(counts);

      // The session itself works: a GET needs no token, and the PATCH with it is saved.
      const get = await t.app.inject({ method: 'GET', url: '/api/me/preferences', headers: { cookie } });
      expect(json<Preferences>(get)).toMatchObject({ mutedNotifications: [] });
      const ok = await t.app.inject({
        method: 'PATCH',
        url: '/api/me/preferences',
        headers: { cookie, 'x-csrf-token': csrfToken },
        payload: { mutedNotifications: ['step-changed'] },
      });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(t.services.people.preferences(user.id).mutedNotifications).toEqual(['step-changed']);
    });
  });
});

describe('what muting and language do to the mail', () => {
  it('an initiator who muted step-changed gets none when a coordinator advances the case, while an unmuted participant does', async () => {
    await setPreferences(t.tokens.initiator, { language: 'sv', mutedNotifications: ['step-changed'] });
    const id = await createCase(t, 'Tyst initiativtagare');
    const participant = await addParticipant(id, t.tokens.initiator);
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('ASSESS_ELIGIBLE'));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();

    const source = `case-${id}.v${caseVersion(id)}`;
    const rows = outboxOf(id).filter((r) => r.source === source);
    // The change did cause a step-changed message: to the participant, not the initiator.
    expect(rows.map((r) => [r.kind, r.recipient_user_id])).toEqual([['step-changed', participant.id]]);
    expect(outboxOf(id).filter((r) => r.recipient_user_id === t.actors.initiator.id)).toEqual([]);
    const mail = await writtenMail();
    const ofCase = [...mail.values()].filter((m) => m.messageId!.includes(id));
    expect(ofCase.flatMap(recipientsOf)).toContain(participant.email);
    expect(ofCase.flatMap(recipientsOf)).not.toContain(t.actors.initiator.email);
  });

  it('an initiator who muted step-changed still gets the mandatory not-eligible notice, once', async () => {
    await setPreferences(t.tokens.initiator, { language: 'sv', mutedNotifications: ['step-changed'] });
    const id = await createCase(t, 'Utanför överenskommelsen');
    const reason = 'Idén gäller inte psykisk hälsa.';
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], { type: 'ASSESS_NOT_ELIGIBLE', payload: { reason } });
    expect(res.statusCode, res.body).toBe(200);
    const diary = json<{ diaryNumber: string }>(res).diaryNumber;
    await t.services.relay.drain();

    const rows = outboxOf(id).filter((r) => r.recipient_user_id === t.actors.initiator.id);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([['not-eligible', 'sent']]);
    const mail = (await writtenMail()).get(rows[0]!.message_id);
    expect(mail, 'the .eml of the not-eligible message').toBeDefined();
    expect(recipientsOf(mail!)).toEqual([t.actors.initiator.email]);
    expect(mail!.subject).toBe(`${diary}: Idén bedöms inte vara i linje med överenskommelsen`);
    expect(mail!.text).toContain(reason);
    expect(mail!.headers.get('content-language')).toBe('sv');
  });

  it('an unmuted initiator gets step-changed in their own language (English), and a Swedish participant in Swedish', async () => {
    const { token, actor } = t.otherInitiator;
    await setPreferences(token, { language: 'en', mutedNotifications: [] });
    const { id, diaryNumber } = await caseOf(token, 'An English-speaking initiator');
    const participant = await addParticipant(id, token);
    const res = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('ASSESS_ELIGIBLE'));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();

    const source = `case-${id}.v${caseVersion(id)}`;
    const rows = outboxOf(id).filter((r) => r.source === source);
    expect(rows.map((r) => [r.kind, r.recipient_user_id, r.language, r.status]).sort()).toEqual(
      [
        ['step-changed', actor.id, 'en', 'sent'],
        ['step-changed', participant.id, 'sv', 'sent'],
      ].sort(),
    );
    const mail = await writtenMail();
    const english = mail.get(rows.find((r) => r.recipient_user_id === actor.id)!.message_id)!;
    expect(english, 'the .eml to the English initiator').toBeDefined();
    expect(english.headers.get('content-language')).toBe('en');
    expect(english.subject).toBe(`${diaryNumber}: The case is now at step 3: Idea template submitted`);
    expect(english.text).toContain(`Hello ${actor.displayName},`);
    expect(english.text).toContain('has moved from step 2: Contact with the county coordinators to step 3 of 12: Idea template submitted');
    expect(english.html).toContain('<html lang="en">');
    expect(english.text).not.toMatch(/Hej|Ärendet/);

    const swedish = mail.get(rows.find((r) => r.recipient_user_id === participant.id)!.message_id)!;
    expect(swedish.headers.get('content-language')).toBe('sv');
    expect(swedish.subject).toMatch(new RegExp(`^${diaryNumber}: Ärendet är nu i steg 3: `));
    expect(swedish.text).toContain(`Hej ${participant.displayName}!`);
    expect(swedish.html).toContain('<html lang="sv">');
  });

  it('whoever made the change gets no informational message about it, while others in the audience do', async () => {
    const { token, actor } = t.otherInitiator;
    await setPreferences(token, { language: 'sv', mutedNotifications: [] });
    const { id } = await caseOf(token, 'Egen ändring');
    const participant = await addParticipant(id, token);
    // The initiator moves their own case from step 3 to step 4.
    advance(t, id, storyUntilStep(3));
    const res = await sendEvent(t, id, token, storyStep('SUBMIT_IDEA_TEMPLATE'));
    expect(res.statusCode, res.body).toBe(200);
    await t.services.relay.drain();
    const ofChange = outboxOf(id).filter((r) => r.source === `case-${id}.v${caseVersion(id)}`);
    const rows = ofChange.filter((r) => r.kind === 'step-changed');
    expect(rows.map((r) => [r.kind, r.recipient_user_id])).toEqual([['step-changed', participant.id]]);
    expect(ofChange.some((r) => r.recipient_user_id === actor.id)).toBe(false);
  });
});

describe('a rejected event', () => {
  it('writes no outbox row and no timer row, whether the payload is invalid (422) or the step does not accept it (409)', async () => {
    await setPreferences(t.tokens.initiator, { language: 'sv', mutedNotifications: [] });
    const id = await createCase(t, 'Avvisade händelser');
    advance(t, id, storyUntilStep(3));
    await t.services.relay.drain();
    const outboxCount = () => (sqlite().prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    const timerCount = () => (sqlite().prepare('SELECT count(*) AS n FROM timers').get() as { n: number }).n;
    const counts = tableCounts(t);
    const version = caseVersion(id);

    const submit = storyStep('SUBMIT_IDEA_TEMPLATE');
    const invalid = await sendEvent(t, id, t.tokens.initiator, { type: submit.type, payload: { answers: 'not an object' } });
    expect(invalid.statusCode, invalid.body).toBe(422);
    expect(invalid.headers['content-type']).toMatch(PROBLEM_JSON);

    const tooEarly = await sendEvent(t, id, t.tokens['county-coordinator'], storyStep('PLACE_ON_AGENDA'));
    expect(tooEarly.statusCode, tooEarly.body).toBe(409);
    expect(json<ProblemBody>(tooEarly).code).toBe('event-not-accepted');
    const decision = await sendEvent(t, id, t.tokens['regional-director'], storyStep('RECORD_DECISION'));
    expect(decision.statusCode, decision.body).toBe(409);

    expect(tableCounts(t)).toEqual(counts);
    expect(caseVersion(id)).toBe(version);

    // The same submission with a valid payload does write both: the rejections were not vacuous.
    const valid = await sendEvent(t, id, t.tokens.initiator, submit);
    expect(valid.statusCode, valid.body).toBe(200);
    expect(outboxCount()).toBeGreaterThan(counts.outbox!);
    expect(timerCount()).toBeGreaterThan(counts.timers!);
  });
});
