import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storyUntilStep } from '../../src/demo/story.js';
import {
  advance,
  auth,
  createCase,
  createTestApp,
  FAR_FUTURE,
  json,
  mainText,
  OTHER_PROGRAMME,
  PROGRAMME,
  type TestApp,
} from '../helpers.js';
import { multipart, PDF } from '../documents/multipart.js';
import { startSmtp, type TestSmtp } from '../smtp.js';

/*
 * The conversation on a case, end to end over HTTP and a real SMTP server: shared and
 * internal comments, who reads which, who follows the case and so gets the e-mail (a link,
 * never the text), and guests invited to one case. The initiator never meets an internal
 * comment: not on a page, in the API, in the history, in an e-mail or in an export.
 */

let t: TestApp;
let smtp: TestSmtp;
let caseId: string;
let otherCaseId: string;

const INTERNAL = 'INTERNT-bara-for-personalen-7f3a';
const SHARED = 'DELAT-till-initiativtagaren-19bc';
const REPLY = 'SVAR-fran-initiativtagaren-55de';

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({
    env: { SATSA_SMTP_HOST: '127.0.0.1', SATSA_SMTP_PORT: String(smtp.port), SATSA_PUBLIC_URL: 'https://satsa.example.se' },
  });
  caseId = await createCase(t, 'Samtalets ärende');
  advance(t, caseId, storyUntilStep(3));
  otherCaseId = await createCase(t, 'Ett annat ärende');
  await t.services.relay.drain();
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const comment = (token: string, body: string, visibility: 'shared' | 'internal', id = caseId) =>
  t.app.inject({ method: 'POST', url: `/api/cases/${id}/comments`, headers: auth(token), payload: { body, visibility } });
const comments = async (token: string, id = caseId) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/cases/${id}/comments`, headers: auth(token) });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ canWriteInternal: boolean; items: { id: string; body: string; visibility: string; roleLabel: string }[] }>(res);
};
/** Messages delivered since `from` (an index into smtp.received). */
const deliveredSince = async (from: number) => {
  await t.services.relay.drain();
  return smtp.received.slice(from);
};
const page = (url: string, userId: string) => {
  const session = t.services.people.createSession(userId, 1);
  return t.app.inject({ method: 'GET', url, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });
};

let internalId: string;

describe('comments: shared and internal', () => {
  it('a coordinator writes an internal and a shared comment; the followers are told by e-mail, with a link and never the text', async () => {
    const from = smtp.received.length;
    const internal = await comment(t.tokens['county-coordinator'], INTERNAL, 'internal');
    expect(internal.statusCode, internal.body).toBe(201);
    internalId = json<{ id: string }>(internal).id;
    expect(internal.headers.etag).toBeDefined();
    const shared = await comment(t.tokens['county-coordinator'], SHARED, 'shared');
    expect(shared.statusCode, shared.body).toBe(201);

    const mails = await deliveredSince(from);
    const initiatorMails = mails.filter((m) => m.to.includes(t.actors.initiator.email));
    // The initiator follows their own case: one message, about the shared comment.
    expect(initiatorMails).toHaveLength(1);
    const text = initiatorMails[0]!.mail.text ?? '';
    expect(text).toContain(`https://satsa.example.se/cases/${caseId}#conversation`);
    expect(initiatorMails[0]!.mail.subject).toContain('Ett nytt meddelande');
    // The author is not told of their own comment.
    expect(mails.some((m) => m.to.includes(t.actors['county-coordinator'].email))).toBe(false);
    for (const m of mails) {
      expect(m.raw).not.toContain(INTERNAL);
      expect(m.raw).not.toContain(SHARED);
    }
  });

  it('the initiator reads only the shared comment and may not write an internal one; staff read both', async () => {
    const mine = await comments(t.tokens.initiator);
    expect(mine.canWriteInternal).toBe(false);
    expect(mine.items.map((c) => c.body)).toEqual([SHARED]);
    const staff = await comments(t.tokens['county-coordinator']);
    expect(staff.canWriteInternal).toBe(true);
    expect(staff.items.map((c) => [c.body, c.visibility])).toEqual([
      [INTERNAL, 'internal'],
      [SHARED, 'shared'],
    ]);
    const refused = await comment(t.tokens.initiator, 'försök', 'internal');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('försök');
  });

  it('the initiator answers; staff who acted on the case are told', async () => {
    const from = smtp.received.length;
    const reply = await comment(t.tokens.initiator, REPLY, 'shared');
    expect(reply.statusCode, reply.body).toBe(201);
    const mails = await deliveredSince(from);
    expect(mails.some((m) => m.to.includes(t.actors['county-coordinator'].email))).toBe(true);
    expect(mails.some((m) => m.to.includes(t.actors.initiator.email))).toBe(false);
    for (const m of mails) expect(m.raw).not.toContain(REPLY);
    expect((await comments(t.tokens.initiator)).items.map((c) => c.body)).toEqual([SHARED, REPLY]);
  });

  it('refuses an empty or too long comment, an unknown visibility, and anyone who does not see the case', async () => {
    expect((await comment(t.tokens.initiator, '   ', 'shared')).statusCode).toBe(422);
    expect((await comment(t.tokens.initiator, 'x'.repeat(10_001), 'shared')).statusCode).toBe(422);
    const odd = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${caseId}/comments`,
      headers: auth(t.tokens.initiator),
      payload: { body: 'x', visibility: 'public' },
    });
    expect(odd.statusCode).toBe(422);
    expect((await comment(t.otherInitiator.token, 'x', 'shared')).statusCode).toBe(404);
    expect((await comment(t.foreignCoordinator.token, 'x', 'shared')).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/comments`, headers: auth(t.otherInitiator.token) })).statusCode,
    ).toBe(404);
  });
});

describe('the initiator never meets the internal comment', () => {
  it('not in the history, the API, the case page, the print page or any export', async () => {
    const history = async (token: string) =>
      json<{ events: { type: string; payload: { commentId?: string; visibility?: string } }[] }>(
        await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/history`, headers: auth(token) }),
      ).events.filter((e) => e.type === 'COMMENT_ADDED');
    expect((await history(t.tokens.initiator)).map((e) => e.payload.visibility)).toEqual(['shared', 'shared']);
    expect((await history(t.tokens['county-coordinator'])).map((e) => e.payload.visibility)).toEqual(['internal', 'shared', 'shared']);

    const seen: { where: string; body: string }[] = [];
    const api = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: auth(t.tokens.initiator) });
      seen.push({ where: url, body: res.body });
    };
    await api(`/api/cases/${caseId}`);
    await api(`/api/cases/${caseId}/history`);
    await api(`/api/cases/${caseId}/comments`);
    await api('/api/cases');
    await api(`/api/public/programmes/${PROGRAMME}/initiatives`);
    await api(`/api/public/programmes/${PROGRAMME}/initiatives?format=csv`);
    for (const url of [`/cases/${caseId}`, `/cases/${caseId}/print`, '/cases']) {
      const res = await page(url, t.actors.initiator.id);
      expect(res.statusCode, url).toBe(200);
      seen.push({ where: url, body: res.body });
    }
    // The reports are the programme's staff's, and even theirs carry no comments.
    for (const format of ['json', 'csv', 'xlsx']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/programmes/${PROGRAMME}/reports/2026?format=${format}`,
        headers: auth(t.tokens['county-coordinator']),
      });
      seen.push({ where: `report ${format}`, body: res.rawPayload.toString('latin1') + res.body });
    }
    for (const { where, body } of seen) {
      expect(body, where).not.toContain(INTERNAL);
      expect(body, where).not.toContain(internalId);
    }
    expect(seen.find((s) => s.where === `/cases/${caseId}`)!.body).toContain(SHARED);
  });
});

describe('following a case', () => {
  const following = async (token: string) =>
    json<{ following: boolean; reason: string }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/following`, headers: auth(token) }),
    );
  const follow = (token: string, value: boolean) =>
    t.app.inject({ method: 'PUT', url: `/api/cases/${caseId}/following`, headers: auth(token), payload: { following: value } });

  it('says why one follows, and each can stop or start', async () => {
    expect(await following(t.tokens.initiator)).toMatchObject({ following: true, reason: 'owner' });
    expect(await following(t.tokens['county-coordinator'])).toMatchObject({ following: true, reason: 'acted' });
    expect(await following(t.tokens['steering-group'])).toMatchObject({ following: false, reason: 'none' });
    expect(json(await follow(t.tokens.initiator, false))).toMatchObject({ following: false, reason: 'stopped' });
    expect(json(await follow(t.tokens['steering-group'], true))).toMatchObject({ following: true, reason: 'chosen' });
    expect((await follow(t.otherInitiator.token, true)).statusCode).toBe(404);

    const from = smtp.received.length;
    expect((await comment(t.tokens['county-coordinator'], 'Ett till delat meddelande.', 'shared')).statusCode).toBe(201);
    const mails = await deliveredSince(from);
    expect(mails.some((m) => m.to.includes(t.actors.initiator.email))).toBe(false);
    expect(mails.some((m) => m.to.includes(t.actors['steering-group'].email))).toBe(true);
    expect(json(await follow(t.tokens.initiator, true))).toMatchObject({ following: true, reason: 'chosen' });
  });

  it('an internal comment reaches only the staff who follow; a muted kind reaches no one', async () => {
    const from = smtp.received.length;
    expect((await comment(t.tokens['county-coordinator'], 'Internt igen.', 'internal')).statusCode).toBe(201);
    let mails = await deliveredSince(from);
    expect(mails.some((m) => m.to.includes(t.actors['steering-group'].email))).toBe(true);
    expect(mails.some((m) => m.to.includes(t.actors.initiator.email))).toBe(false);

    const muted = await t.app.inject({
      method: 'PATCH',
      url: '/api/me/preferences',
      headers: auth(t.tokens['steering-group']),
      payload: { mutedNotifications: ['comment-added'] },
    });
    expect(muted.statusCode, muted.body).toBe(200);
    const again = smtp.received.length;
    expect((await comment(t.tokens['county-coordinator'], 'Delat igen.', 'shared')).statusCode).toBe(201);
    mails = await deliveredSince(again);
    expect(mails.some((m) => m.to.includes(t.actors['steering-group'].email))).toBe(false);
    expect(mails.some((m) => m.to.includes(t.actors.initiator.email))).toBe(true);
  });
});

describe('guests', () => {
  const GUEST = 'gast.person@forening.example';
  let guestToken: string;
  let guestId: string;

  it('only a county coordinator or administrator invites one; the same answer for any address', async () => {
    const invite = (token: string, payload: Record<string, unknown>, id = caseId) =>
      t.app.inject({ method: 'POST', url: `/api/cases/${id}/guests`, headers: auth(token), payload });
    expect((await invite(t.tokens.initiator, { email: GUEST })).statusCode).toBe(403);
    expect((await invite(t.tokens['steering-group'], { email: GUEST })).statusCode).toBe(403);
    expect((await invite(t.foreignCoordinator.token, { email: GUEST })).statusCode).toBe(404);
    expect((await invite(t.tokens['county-coordinator'], { email: 'inte en adress' })).statusCode).toBe(422);
    const known = await invite(t.tokens.administrator, { email: t.otherInitiator.actor.email });
    const sent = await invite(t.tokens['county-coordinator'], { email: GUEST, name: 'Gun Gäst', organisation: 'Föreningen Bryggan' });
    expect([known.statusCode, sent.statusCode]).toEqual([202, 202]);
    expect(Object.keys(json(known)).sort()).toEqual(Object.keys(json(sent)).sort());
  });

  it('offers the parties the dialogue forum named as organisations to invite', async () => {
    const forumCase = await createCase(t, 'Efter dialogforumet');
    advance(t, forumCase, storyUntilStep(6));
    const form = await page(`/cases/${forumCase}/guests/new`, t.actors['county-coordinator'].id);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('list="guest-forum-parties"');
    expect(form.body).toContain('<option value="Arbetsförmedlingen">');
    expect(form.body).toContain('<option value="RSMH Blekinge">');
    // The municipality's local coordinator is staff, not an outside party.
    expect(form.body).not.toContain('<option value="Karlshamns kommun">');
  });

  it('accepts by the e-mail’s link and then sees that case only', async () => {
    await t.services.relay.drain();
    const mail = smtp.to(GUEST).at(-1)!;
    expect(mail.mail.text).toContain('Samtalets ärende');
    const token = /\/invitation\/([A-Za-z0-9_-]+)/.exec(mail.mail.text ?? '')![1]!;
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/invitations/accept',
      payload: { token, displayName: 'Gun Gäst', password: 'ett långt gästlösenord' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    guestId = t.services.people.userByEmail(GUEST)!.id;
    expect(t.services.people.actorById(guestId)!.memberships).toEqual([]);
    guestToken = t.services.people.createApiToken(guestId, 'test', FAR_FUTURE).token;

    const view = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}`, headers: auth(guestToken) });
    expect(view.statusCode, view.body).toBe(200);
    expect(json<{ allowedEvents: unknown[] }>(view).allowedEvents).toEqual([]);
    const list = json<{ items: { id: string }[] }>(await t.app.inject({ method: 'GET', url: '/api/cases', headers: auth(guestToken) }));
    expect(list.items.map((c) => c.id)).toEqual([caseId]);
    const theirs = await comments(guestToken);
    expect(theirs.canWriteInternal).toBe(false);
    expect(theirs.items.some((c) => c.visibility === 'internal')).toBe(false);
    expect((await comment(guestToken, 'Hej från föreningen.', 'shared')).statusCode).toBe(201);
    expect((await comment(guestToken, 'Internt?', 'internal')).statusCode).toBe(403);
    expect((await comments(t.tokens.initiator)).items.find((c) => c.body === 'Hej från föreningen.')!.roleLabel).toBe('Gäst');
    const history = await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/history`, headers: auth(guestToken) });
    expect(history.statusCode).toBe(200);
    expect(history.body).not.toContain(internalId);
    expect(json(await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/following`, headers: auth(guestToken) }))).toMatchObject({
      following: true,
      reason: 'guest',
    });
  });

  it('can ask for a new password like anyone, though they hold no programme role', async () => {
    await t.services.relay.drain();
    const asked = await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: GUEST } });
    expect(asked.statusCode, asked.body).toBeLessThan(300);
    await t.services.relay.drain();
    expect(smtp.to(GUEST).at(-1)!.mail.text).toMatch(/\/password-reset\/[A-Za-z0-9_-]+/);
  });

  it('attaches a document to their case, sees it listed, and none to another case', async () => {
    const send = (id: string) => {
      const body = multipart([{ name: 'file', fileName: 'Föreningens synpunkter.pdf', type: 'application/pdf', bytes: PDF }]);
      return t.app.inject({
        method: 'POST',
        url: `/api/cases/${id}/documents`,
        headers: { ...auth(guestToken), ...body.headers },
        payload: body.payload,
      });
    };
    const added = await send(caseId);
    expect(added.statusCode, added.body).toBe(201);
    const listed = json<{ items: { fileName: string; addedBy: { displayName: string } }[] }>(
      await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/documents`, headers: auth(t.tokens.initiator) }),
    );
    expect(listed.items.map((d) => [d.fileName, d.addedBy.displayName])).toContainEqual(['Föreningens synpunkter.pdf', 'Gun Gäst']);
    expect((await send(otherCaseId)).statusCode).toBe(404);
  });

  it('is refused every other case, the board, the plan, the reports and the case’s money', async () => {
    for (const url of [
      `/api/cases/${otherCaseId}`,
      `/api/cases/${otherCaseId}/comments`,
      `/api/cases/${otherCaseId}/history`,
      `/api/cases/${caseId}/money`,
      `/api/programmes/${PROGRAMME}/reports/2026?format=json`,
      `/api/programmes/${PROGRAMME}/reports/multi-year?format=json`,
      `/api/programmes/${PROGRAMME}/plan`,
      `/api/programmes/${PROGRAMME}/pools`,
      `/api/programmes/${OTHER_PROGRAMME}/plan`,
      `/api/cases?programme=${OTHER_PROGRAMME}`,
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth(guestToken) });
      if (url.startsWith('/api/cases?')) expect(json<{ items: unknown[] }>(res).items, url).toEqual([]);
      else expect([403, 404], `${url}: ${res.statusCode}`).toContain(res.statusCode);
    }
    expect((await comment(guestToken, 'x', 'shared', otherCaseId)).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/cases/${caseId}/guests`, headers: auth(guestToken), payload: { email: 'a@b.se' } }))
        .statusCode,
    ).toBe(403);
    for (const url of ['/board', '/plan', `/programmes/${PROGRAMME}/reports`, `/cases/${otherCaseId}`, '/money']) {
      const res = await page(url, guestId);
      expect([403, 404], `${url}: ${res.statusCode}`).toContain(res.statusCode);
    }
    const own = await page(`/cases/${caseId}`, guestId);
    expect(own.statusCode).toBe(200);
    expect(own.body).not.toContain(INTERNAL);
    const list = await page('/cases', guestId);
    expect(list.statusCode).toBe(200);
    expect(mainText(list.body)).toContain('Samtalets ärende');
    expect(mainText(list.body)).not.toContain('Ett annat ärende');
  });

  it('the case says who its guests are: name and organisation, the address for staff only', async () => {
    const guests = async (token: string) =>
      json<{ items: { displayName: string; organisation: string | null; email?: string }[]; pending: { email: string }[] }>(
        await t.app.inject({ method: 'GET', url: `/api/cases/${caseId}/guests`, headers: auth(token) }),
      );
    const seenByInitiator = await guests(t.tokens.initiator);
    expect(seenByInitiator.items).toEqual([{ id: guestId, displayName: 'Gun Gäst', organisation: 'Föreningen Bryggan' }]);
    expect(seenByInitiator.pending).toEqual([]);
    const seenByStaff = await guests(t.tokens['county-coordinator']);
    expect(seenByStaff.items[0]!.email).toBe(GUEST);
    expect(seenByStaff.pending.map((p) => p.email)).toEqual([t.otherInitiator.actor.email]);
    const casePage = await page(`/cases/${caseId}`, t.actors.initiator.id);
    expect(mainText(casePage.body)).toContain('Föreningen Bryggan');
    expect(casePage.body).not.toContain(GUEST);
  });
});
