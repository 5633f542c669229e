import fs from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import { CASE_MACHINE_VERSIONS, CURRENT_CASE_MACHINE_VERSION } from '../../machines/versions.js';
import { has } from '../../src/i18n/index.js';
import { roleStatesOf } from '../../src/work/waiting.js';
import { storyUntilStep } from '../../src/demo/story.js';
import type { Actor } from '../../src/people/service.js';
import { advance, auth, createCase, createCaseOnVersion, createTestApp, json, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * What waits for whom (src/work/waiting.ts), over the API and on the pages: an initiator's
 * own moves (the idea template), the programme roles' steps with their deadlines, a comment to
 * answer, the plan's open assignments; and the menu's count is the list's length.
 */

interface Item {
  kind: 'case' | 'comment' | 'assignment';
  what: string;
  caseId: string | null;
  assignmentId: string | null;
  title: string;
  diaryNumber: string | null;
  href: string;
  due: string | null;
  dueLabel: string | null;
  overdue: boolean;
  who: string | null;
}

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

async function waitingOf(token: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/me/waiting', headers: auth(token) });
  expect(res.statusCode, res.body).toBe(200);
  const body = json<{ count: number; items: Item[] }>(res);
  expect(body.count).toBe(body.items.length);
  return body.items;
}
const onCase = (items: Item[], caseId: string) => items.filter((i) => i.caseId === caseId);

/** The number the menu shows after "Att göra", on a page. */
async function menuCount(token: string) {
  const res = await t.app.inject({ method: 'GET', url: '/cases', headers: { ...auth(token), accept: 'text/html' } });
  expect(res.statusCode).toBe(200);
  const match =
    /<a href="\/waiting"[^>]*>Att göra <span aria-hidden="true">\((\d+)\)<\/span><span class="visually-hidden">\(\1 (?:saker|sak) väntar på dig\)<\/span><\/a>/.exec(
      res.body,
    );
  expect(match, 'the menu item with its count').not.toBeNull();
  return Number(match![1]);
}

describe('what waits for me', () => {
  it('an initiator: their own case at the idea template, and nothing of anyone else’s', async () => {
    // Step 1 (a case of version 2, where the idea is not yet sent on creation): the initiator makes contact.
    const older = await createCaseOnVersion(t, 2, 'En äldre idé');
    expect(onCase(await waitingOf(t.tokens.initiator), older).map((i) => i.what)).toEqual(['Ta kontakt med länsamordnarna om idén']);
    expect(onCase(await waitingOf(t.tokens['county-coordinator']), older)).toEqual([]);
    // Step 2: from version 4 on, an idea is with the coordinators once raised; they judge whether it fits.
    const caseId = await createCase(t, 'Stödgrupper för unga vuxna');
    expect(onCase(await waitingOf(t.tokens.initiator), caseId)).toEqual([]);
    expect(onCase(await waitingOf(t.tokens['county-coordinator']), caseId).map((i) => i.what)).toEqual(['Bedöm om idén passar']);
    // Step 3: the idea template, the initiator's, without a due date.
    advance(t, caseId, storyUntilStep(3).slice(storyUntilStep(2).length));
    const [item, ...rest] = onCase(await waitingOf(t.tokens.initiator), caseId);
    expect(rest).toEqual([]);
    expect(item).toMatchObject({
      kind: 'case',
      what: 'Fyll i idémallen',
      title: 'Stödgrupper för unga vuxna',
      href: `/cases/${caseId}`,
      due: null,
      overdue: false,
    });
    expect(item!.diaryNumber).toMatch(/\d/);
    // In English for whoever chose English (the API speaks the caller's own language).
    expect(t.services.waiting.list(t.actors.initiator, 'en').find((i) => i.caseId === caseId)!.what).toBe('Fill in the idea template');
    // Not another initiator's, not another programme's people's, not a role without a move.
    expect(onCase(await waitingOf(t.otherInitiator.token), caseId)).toEqual([]);
    expect(onCase(await waitingOf(t.foreignCoordinator.token), caseId)).toEqual([]);
    expect(onCase(await waitingOf(t.tokens['county-coordinator']), caseId)).toEqual([]);
    expect(onCase(await waitingOf(t.tokens.finance), caseId)).toEqual([]);
  });

  it('the programme roles at their steps, with the case’s deadlines as due dates', async () => {
    const caseId = await createCase(t, 'Samtalsstöd i skolan');
    // Step 4: the idea is submitted; the coordinators should answer it within the programme's days.
    advance(t, caseId, storyUntilStep(4));
    const coordinator = onCase(await waitingOf(t.tokens['county-coordinator']), caseId);
    expect(coordinator).toHaveLength(1);
    expect(coordinator[0]!.what).toBe('Sätt upp idén på samordningsgruppens dagordning');
    expect(coordinator[0]!.due).toMatch(/^2026-\d\d-\d\d$/);
    expect(onCase(await waitingOf(t.tokens['coordination-group']), caseId).map((i) => i.what)).toEqual([
      'Gå igenom idén i samordningsgruppen',
    ]);
    // Step 9: LSVO, then the director.
    advance(t, caseId, storyUntilStep(9).slice(storyUntilStep(4).length));
    expect(onCase(await waitingOf(t.tokens['lsvo-secretary']), caseId).map((i) => i.what)).toEqual(['Skriv in LSVO:s rekommendation']);
    expect(onCase(await waitingOf(t.tokens['regional-director']), caseId)).toEqual([]);
    // Step 10: the steering group follows up, by the first follow-up date the decision set.
    advance(t, caseId, storyUntilStep(10).slice(storyUntilStep(9).length));
    const steering = onCase(await waitingOf(t.tokens['steering-group']), caseId);
    expect(steering).toHaveLength(1);
    expect(steering[0]).toMatchObject({ what: 'Följ upp satsningen', due: '2026-12-01', overdue: false });
    // Once the date has passed, it says so.
    t.clock.set('2026-12-05T09:00:00.000Z');
    expect(onCase(await waitingOf(t.tokens['steering-group']), caseId)[0]).toMatchObject({ due: '2026-12-01', overdue: true });
    const page = await t.app.inject({
      method: 'GET',
      url: '/waiting',
      headers: { ...auth(t.tokens['steering-group']), accept: 'text/html' },
    });
    expect(page.body).toContain('Senast 1 december 2026 <strong class="tag overdue">Försenat</strong>');
    t.clock.set('2026-01-15T09:00:00.000Z');
  });

  it('a comment to answer: the newest comment one may read on a case one takes part in is someone else’s', async () => {
    const caseId = await createCase(t, 'Frågor om målgruppen');
    advance(t, caseId, storyUntilStep(2));
    const comment = async (actor: Actor, visibility: 'shared' | 'internal') =>
      t.services.conversation.add(actor, caseId, { body: `Ett ${visibility} meddelande.`, visibility });
    const comments = async (token: string) => onCase(await waitingOf(token), caseId).filter((i) => i.kind === 'comment');
    // The initiator asks; the coordinator, who never wrote on it, is not counted (they follow by acting, not by writing).
    await comment(t.actors.initiator, 'shared');
    expect(await comments(t.tokens.initiator)).toEqual([]);
    expect(await comments(t.tokens['county-coordinator'])).toEqual([]);
    // The coordinator answers: now it waits for the initiator.
    await comment(t.actors['county-coordinator'], 'shared');
    expect(await comments(t.tokens.initiator)).toMatchObject([
      { what: 'Svara på en kommentar', who: 'Test county-coordinator', due: null },
    ]);
    // An internal comment after it changes nothing for the initiator, who never sees it.
    await comment(t.actors['local-coordinator'], 'internal');
    expect(await comments(t.tokens.initiator)).toHaveLength(1);
    // The coordinator wrote on the case, so the local coordinator's internal note waits for them.
    expect(await comments(t.tokens['county-coordinator'])).toMatchObject([{ who: 'Test local-coordinator' }]);
    // The initiator answers: nothing for them; the coordinator has the answer to read.
    await comment(t.actors.initiator, 'shared');
    expect(await comments(t.tokens.initiator)).toEqual([]);
    expect(await comments(t.tokens['county-coordinator'])).toMatchObject([{ who: 'Test initiator' }]);
    // Who stopped following the case is not asked to answer.
    t.services.conversation.setFollowing(t.actors['county-coordinator'], caseId, false, 'sv');
    expect(await comments(t.tokens['county-coordinator'])).toEqual([]);
  });

  it('assignments of the plan in force that are not done, for those who record the plan, with their due dates', async () => {
    const seed = JSON.parse(fs.readFileSync('test/fixtures/seed-004-plan.json', 'utf8')) as {
      document: object;
      adoption: Record<string, string>;
    };
    const config = t.services.programmes.get(PROGRAMME)!;
    t.services.programmes.change({ ...config, years: { first: 2022, last: 2035 } }, t.actors.administrator.id, 'planens år');
    const admin = auth(t.tokens.administrator);
    const base = `/api/programmes/${PROGRAMME}/plan`;
    const saved = await t.app.inject({
      method: 'PUT',
      url: `${base}/draft`,
      headers: { ...admin, 'if-match': '"0"' },
      payload: seed.document,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const adopted = await t.app.inject({
      method: 'POST',
      url: `${base}/draft/adopt`,
      headers: { ...admin, 'if-match': '"1"' },
      payload: seed.adoption,
    });
    expect(adopted.statusCode, adopted.body).toBe(200);

    const assignments = async (token: string) => (await waitingOf(token)).filter((i) => i.kind === 'assignment');
    for (const role of ['administrator', 'county-coordinator', 'steering-group'] as const) {
      expect((await assignments(t.tokens[role])).map((a) => a.assignmentId)).toEqual([
        'uppdrag-anhorigstod',
        'uppdrag-kartlaggning',
        'uppdrag-lansstrategi',
      ]);
    }
    const [first] = await assignments(t.tokens['county-coordinator']);
    expect(first).toMatchObject({
      what: 'Uppdrag i planen',
      due: '2022-12-31',
      dueLabel: 'slutet på 2022',
      overdue: true,
      who: 'Utvecklingsstrateg psykisk hälsa FHE',
      href: '/plan#assignments',
      caseId: null,
      diaryNumber: null,
    });
    for (const token of [t.tokens.initiator, t.tokens.finance, t.tokens['lsvo-secretary'], t.foreignCoordinator.token]) {
      expect(await assignments(token)).toEqual([]);
    }
    // Done is done.
    const done = await t.app.inject({
      method: 'POST',
      url: `${base}/assignments/uppdrag-anhorigstod/status`,
      headers: admin,
      payload: { status: 'done' },
    });
    expect(done.statusCode, done.body).toBe(200);
    expect((await assignments(t.tokens['steering-group'])).map((a) => a.assignmentId)).toEqual([
      'uppdrag-kartlaggning',
      'uppdrag-lansstrategi',
    ]);
  });

  it('is sorted by due date, those without one last', async () => {
    const items = await waitingOf(t.tokens['county-coordinator']);
    const dues = items.map((i) => i.due);
    const firstWithout = dues.indexOf(null);
    expect(firstWithout).toBeGreaterThan(0);
    expect(dues.slice(firstWithout).every((d) => d === null)).toBe(true);
    const dated = dues.slice(0, firstWithout) as string[];
    expect(dated).toEqual([...dated].sort());
  });

  it('the menu’s count is the length of the list, for every role', async () => {
    for (const token of [...Object.values(t.tokens), t.otherInitiator.token, t.foreignCoordinator.token]) {
      const items = await waitingOf(token);
      expect(await menuCount(token)).toBe(items.length);
    }
    // The page lists them, every one a link to where it is done.
    const res = await t.app.inject({
      method: 'GET',
      url: '/waiting',
      headers: { ...auth(t.tokens['county-coordinator']), accept: 'text/html' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Att göra</h1>');
    expect(res.body).toContain('aria-current="page"');
    const items = await waitingOf(t.tokens['county-coordinator']);
    expect(res.body.match(/<li>\s*<h2><a href=/g)).toHaveLength(items.length);
  });

  it('the count is kept between pages and caught up from the case log: only changed cases are read again', async () => {
    const coordinator = t.actors['county-coordinator'];
    const counted = () => {
      const count = t.services.waiting.count(coordinator);
      expect(count).toBe(t.services.waiting.list(coordinator, 'sv').length);
      return count;
    };
    const before = counted();
    const stats0 = t.services.waiting.countStats();
    // Nothing changed: the kept cases are the answer.
    expect(counted()).toBe(before);
    const stats1 = t.services.waiting.countStats();
    expect(stats1.unchanged).toBe(stats0.unchanged + 1);
    expect(stats1.full).toBe(stats0.full);
    // A new idea (the coordinator's to look at), then moved on: each time read again, that case only.
    const { id } = t.services.cases.create(t.actors.initiator, { title: 'Räknas rätt', summary: 'En idé.' }, 'sv');
    expect(counted()).toBe(before + 1);
    const stats2 = t.services.waiting.countStats();
    expect(stats2).toMatchObject({ full: stats1.full, caughtUp: stats1.caughtUp + 1 });
    advance(t, id, storyUntilStep(4));
    const moved = counted();
    expect(t.services.waiting.countStats()).toMatchObject({ full: stats1.full, caughtUp: stats1.caughtUp + 2 });
    // A change written by another connection to the same database (another process) is found too.
    const other = new Database(t.file);
    other.prepare("UPDATE cases SET status = 'done' WHERE id = ?").run(id);
    other
      .prepare(
        `INSERT INTO case_events (case_id, version, type, actor_id, actor_role, at, payload, state_after, steps_after)
         SELECT id, version + 1, 'WITHDRAW', initiator_id, 'initiator', updated_at, '{}', '{}', steps FROM cases WHERE id = ?`,
      )
      .run(id);
    other.close();
    expect(counted()).toBe(moved - 1);
  });

  it('nothing waits: said in words', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/waiting', headers: { ...auth(t.tokens.finance), accept: 'text/html' } });
    expect(res.body).toContain('Inget väntar på dig just nu.');
    expect(await menuCount(t.tokens.finance)).toBe(0);
  });
});

describe('where each role has a move, read from the machines', () => {
  it('a next version’s new initiator event on the running initiative is picked up without code of its own', () => {
    const current = CASE_MACHINE_VERSIONS[CURRENT_CASE_MACHINE_VERSION];
    const next = Math.max(...Object.keys(CASE_MACHINE_VERSIONS).map(Number)) + 1;
    // The current chart with one event more on the running initiative, as the next version may add it.
    type Node = { states: Record<string, Node>; on?: Record<string, unknown> };
    const chart = current.config as unknown as Node;
    const { running } = chart.states;
    const { execution } = running!.states;
    const { ongoing } = execution!.states;
    const config = {
      ...chart,
      states: {
        ...chart.states,
        running: {
          ...running,
          states: {
            ...running!.states,
            execution: {
              ...execution,
              states: {
                ...execution!.states,
                ongoing: { ...ongoing, on: { ...ongoing!.on, SUBMIT_FOLLOW_UP_REPORT: { actions: 'recordFollowUp' } } },
              },
            },
          },
        },
      },
    };
    const machines = { ...CASE_MACHINE_VERSIONS, [next]: createMachine(config as never) };
    const states = roleStatesOf(machines, { ...EVENT_ROLES, SUBMIT_FOLLOW_UP_REPORT: ['initiator'] });
    expect(states.get(next)!.get('initiator')!.get('running.execution.ongoing')).toEqual([
      { event: 'SUBMIT_FOLLOW_UP_REPORT', advances: false },
    ]);
    // Version 4, released with that event, has it read from its chart the same way; version 2 does not.
    expect(roleStatesOf().get(4)!.get('initiator')!.get('running.execution.ongoing')).toEqual([
      { event: 'SUBMIT_FOLLOW_UP_REPORT', advances: false },
    ]);
    expect(roleStatesOf().get(2)!.get('initiator')!.get('running.execution.ongoing')).toBeUndefined();
    // And the list has words for it.
    expect(has('sv', 'waiting.do.SUBMIT_FOLLOW_UP_REPORT') && has('en', 'waiting.do.SUBMIT_FOLLOW_UP_REPORT')).toBe(true);
  });

  it('the events open all along are nobody’s next move; every other event is someone’s somewhere', () => {
    const states = roleStatesOf();
    const moves = new Set<string>();
    for (const byRole of states.values())
      for (const byPath of byRole.values()) for (const list of byPath.values()) for (const m of list) moves.add(m.event);
    for (const open of ['ADD_PARTICIPANT', 'WITHDRAW', 'RECORD_CHECK_IN', 'IMPORT_DECIDED']) expect(moves.has(open)).toBe(false);
    expect(moves.has('SUBMIT_IDEA_TEMPLATE')).toBe(true);
    expect(moves.has('RECORD_FOLLOW_UP')).toBe(true);
  });
});
