import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIREMENT_IDS } from '../../machines/case/requirements.js';
import { TIMER_KINDS } from '../../machines/case/deadlines.js';
import { z } from 'zod';
import { CASE_EVENT_TYPES, eventPayloads } from '../../machines/case/schemas.js';
import { FORUM_ROLES, ORGANISATION_KINDS, ROLES, type Role } from '../../machines/roles.js';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import { FULL_PROPOSAL, FULL_STORY, DEMO_IDEA, type StoryStep } from '../../src/demo/story.js';
import { playStory } from '../../src/demo/seed.js';
import type { Language } from '../../src/i18n/index.js';
import type { Actor } from '../../src/people/actor.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import { PROGRAMME, createTestApp, type TestApp } from '../helpers.js';

/*
 * No page shows a person an internal id or a state name. The forbidden words are built from the
 * code: every state of every machine version, every event type, requirement, timer kind and
 * role, every programme's criteria and areas, and the ids in the demo's proposal. A case is then
 * walked through every event of its life; after each, every role reads the case page, its print
 * page, the board, the case list, the money pages and the reports, in Swedish and in English,
 * and sends every form on its case page empty (error messages are where ids leak). The words a
 * person reads or hears (text, alt, title, aria-label, placeholder, option text) must hold none
 * of them; addresses, ids, names and values of the HTML are not read and are not checked.
 */

// ---- the forbidden words -------------------------------------------------------------------

interface MachineNode {
  key: string;
  id: string;
  states?: Record<string, MachineNode>;
}

function stateWords(): Set<string> {
  const words = new Set<string>();
  const walk = (node: MachineNode) => {
    words.add(node.key);
    words.add(node.id);
    for (const child of Object.values(node.states ?? {})) walk(child);
  };
  for (const machine of Object.values(CASE_MACHINE_VERSIONS)) walk((machine as unknown as { root: MachineNode }).root);
  return words;
}

function enumValues(): Set<string> {
  const out = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(value)) for (const v of value) if (typeof v === 'string') out.add(v);
      walk(value);
    }
  };
  for (const schema of Object.values(eventPayloads)) walk(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }));
  return out;
}

const PROGRAMME_FILES = ['uph-blekinge', 'ph-orebro-lan', 'ph-orebro-norr'];

/** Ids that no sentence in either language contains: camelCase, dotted, hyphenated, SNAKE_CASE, c1. */
const looksLikeId = (word: string) => /[A-Z_.-]|\d/.test(word);

/**
 * The words, and the languages in which they count as a leak. A state key or role id that is a
 * plain English word ('open', 'proposal', 'running', 'ended', 'initiator', 'finance',
 * 'administrator') is a leak on a Swedish page only: an English page says "the proposal" or
 * "an initiator" in its own words. Everything else is a leak in both languages.
 */
function forbiddenWords(): Map<string, Language[]> {
  const out = new Map<string, Language[]>();
  const add = (word: string) => out.set(word, looksLikeId(word) ? ['sv', 'en'] : ['sv']);
  for (const word of stateWords()) add(word);
  for (const word of CASE_EVENT_TYPES) add(word);
  for (const word of REQUIREMENT_IDS) add(word);
  for (const word of TIMER_KINDS) add(word);
  for (const word of ROLES) add(word);
  // The options of the forum's and the participants' forms, where they are ids ('municipal',
  // 'regional', 'business', 'analyst' … are words in English and say nothing wrong in Swedish
  // either: they are left out).
  for (const word of [...FORUM_ROLES, ...ORGANISATION_KINDS]) if (looksLikeId(word)) add(word);
  // The values of every choice in the events' payloads ('approve', 'scale-up', 'half-year',
  // 'proven-experience' …): a form or a record shows their labels, never the values. They are
  // English words (an English page rightly says "implementation and scale-up"), so they count
  // on Swedish pages only.
  for (const word of enumValues()) if (!out.has(word)) out.set(word, /[A-Z_.]|\d/.test(word) ? ['sv', 'en'] : ['sv']);
  // A programme's ids that are one plain Swedish word ('samverkan', 'samsjuklighet',
  // 'brukarinflytande') are the very words of their labels: they are left out. The others
  // ('c1', 'barn-och-unga', 'andel-i-syssla') are no one's words.
  const addId = (word: string) => looksLikeId(word) && add(word);
  for (const file of PROGRAMME_FILES) {
    const programme = loadProgrammeDefinition(file);
    for (const c of programme.criteria) addId(c.id);
    for (const a of programme.priorityAreas) {
      addId(a.id);
      for (const sub of a.subAreas ?? []) addId(sub.id);
    }
  }
  for (const i of FULL_PROPOSAL.indicators ?? []) addId(i.id);
  for (const a of FULL_PROPOSAL.activities ?? []) addId(a.id);
  return out;
}

const FORBIDDEN = forbiddenWords();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A word as a whole token: not inside a longer word, a longer id or a longer dotted name. */
const tokenPattern = (words: string[]) =>
  new RegExp(
    `(?<![\\p{L}\\p{N}_\\-.])(${words
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join('|')})(?![\\p{L}\\p{N}_\\-]|\\.[\\p{L}\\p{N}])`,
    'gu',
  );
const PATTERNS: Record<Language, RegExp> = {
  sv: tokenPattern([...FORBIDDEN].filter(([, langs]) => langs.includes('sv')).map(([w]) => w)),
  en: tokenPattern([...FORBIDDEN].filter(([, langs]) => langs.includes('en')).map(([w]) => w)),
};

// ---- what a person reads ---------------------------------------------------------------------

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'", nbsp: ' ' };
const decode = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#') && name !== '#39') return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? whole;
  });

/** The text of a page as it is read or heard: no scripts or styles; alt, title, aria-label, placeholder kept. */
export function visibleText(body: string): string {
  return decode(
    body
      .replace(/<(script|style|template)\b[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[a-z][^>]*>/gi, (tag) =>
        [...tag.matchAll(/\s(?:alt|title|aria-label|placeholder)="([^"]*)"/gi)].map((m) => ` ${m[1]} `).join(''),
      )
      .replace(/<[^>]*>/g, ' '),
  ).replace(/\s+/g, ' ');
}

export function leaksIn(text: string, lang: Language): string[] {
  return [...text.matchAll(PATTERNS[lang])].map((m) => {
    const at = m.index;
    return `${m[1]} in “…${text.slice(Math.max(0, at - 60), at + m[1]!.length + 40)}…”`;
  });
}

// ---- the walk --------------------------------------------------------------------------------

/** The story with what people write free of ids: the demo writes "kriterium c1" in a justification. */
const STORY: StoryStep[] = FULL_STORY.map((s) =>
  s.type === 'ASSESS_CRITERION'
    ? ({ ...s, payload: { ...s.payload, justification: 'Underlaget visar hur satsningen uppfyller kriteriet.' } } as StoryStep)
    : s,
);

const NAMES: Record<Role, string> = {
  initiator: 'Ines Idéström',
  'county-coordinator': 'Karin Länsdotter',
  'local-coordinator': 'Lars Lokal',
  'coordination-group': 'Sara Samordning',
  'lsvo-secretary': 'Lena Sekreterare',
  'regional-director': 'Rune Direktör',
  'steering-group': 'Stina Styr',
  finance: 'Ebba Ekonom',
  administrator: 'Ada Admin',
};

let t: TestApp;
const people = {} as Record<Role, Actor>;
const sessions = {} as Record<Role, { token: string; csrfToken: string }>;

beforeAll(async () => {
  t = await createTestApp();
  for (const [i, role] of ROLES.entries()) {
    people[role] = await t.services.people.createUser({
      programmeId: PROGRAMME,
      email: `person${i}@exempel.se`,
      displayName: NAMES[role],
      roles: [role],
    });
    sessions[role] = t.services.people.createSession(people[role].id, 8);
  }
});
afterAll(async () => {
  await t.close();
});

const HTML = { accept: 'text/html' };
const get = (role: Role, url: string) =>
  t.app.inject({ method: 'GET', url, cookies: { satsa_session: sessions[role].token }, headers: HTML });
const post = (role: Role, url: string, fields: [string, string][]) =>
  t.app.inject({
    method: 'POST',
    url,
    cookies: { satsa_session: sessions[role].token },
    headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

function speak(lang: Language) {
  for (const role of ROLES) t.services.people.updatePreferences(people[role].id, { language: lang });
}

async function newCase(steps: StoryStep[]): Promise<string> {
  const token = t.services.people.createApiToken(people.initiator.id, 'test', new Date('2099-01-01')).token;
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: { authorization: `Bearer ${token}` },
    payload: { title: DEMO_IDEA.title, summary: DEMO_IDEA.summary },
  });
  const id = res.json<{ id: string }>().id;
  playStory(t.services, id, steps, people);
  return id;
}

/** The forms of a case page, each as its action and the hidden fields it sends with no answers. */
function formsOf(body: string): { action: string; hidden: [string, string][] }[] {
  return [...body.matchAll(/<form\b[^>]*action="([^"]*\/events\/[A-Z_]+)"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => ({
    action: decode(m[1]!),
    hidden: [...m[2]!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)].map((input) => [
      decode(/name="([^"]*)"/.exec(input[0])?.[1] ?? ''),
      decode(/value="([^"]*)"/.exec(input[0])?.[1] ?? ''),
    ]),
  }));
}

const found = new Map<string, Set<string>>();
/**
 * People's names and addresses are what they are called, not ids: the shared test users are
 * called "Test county-coordinator" and reached at county-coordinator@test.satsa.se.
 */
let peopleWords: string[] | undefined;
function withoutPeople(text: string): string {
  peopleWords ??= (
    t.services.db.$client.prepare('SELECT display_name AS name, email FROM users').all() as { name: string; email: string }[]
  )
    .flatMap((p) => [p.email, p.name])
    .sort((a, b) => b.length - a.length);
  let out = text;
  for (const word of peopleWords) out = out.split(word).join(' ');
  return out;
}

function check(what: string, lang: Language, res: { body: string; headers: Record<string, unknown> }) {
  if (!String(res.headers['content-type'] ?? '').includes('text/html')) return;
  for (const leak of leaksIn(withoutPeople(visibleText(res.body)), lang)) {
    const where = found.get(leak) ?? new Set();
    where.add(what);
    found.set(leak, where);
  }
}
const report = () => [...found].map(([leak, where]) => `${leak}\n    on ${[...where].slice(0, 3).join(', ')}`);

describe('the words of the test itself', () => {
  it('are built from the code and match ids as whole tokens only', () => {
    for (const word of ['coordinatorContact', 'case.open.preparation.decision', 'RECORD_DECISION', 'criterion-assessed', 'c1']) {
      expect(FORBIDDEN.has(word)).toBe(true);
    }
    expect(FORBIDDEN.has('barn-och-unga')).toBe(true);
    expect(FORBIDDEN.has('andel-i-syssla')).toBe(true);
    expect(leaksIn('Kriteriet c1 är uppfyllt.', 'sv')).toHaveLength(1);
    expect(leaksIn('Steg awaitingDecision.', 'en')).toHaveLength(1);
    expect(leaksIn('The proposal is ongoing.', 'en')).toEqual([]);
    expect(leaksIn('Förslaget är ongoing.', 'sv')).toHaveLength(1);
    expect(leaksIn('abc1 c12 barn-och-unga-2', 'sv')).toEqual([]);
    expect(visibleText('<p title="Kriteriet c1">x</p><a href="/cases/c1" id="c1">y</a><script>c1</script>')).toBe(' Kriteriet c1 x y ');
  });
});

describe('no page shows an internal id or a state name', () => {
  it('at every event of a case’s life, to every role, in Swedish and English, forms sent empty included', async () => {
    let poolUrl: string | undefined;
    const upTo = (type: string) =>
      STORY.slice(
        0,
        STORY.findIndex((s) => s.type === type),
      );
    // Every point of the whole story, then the ways a case leaves the process early.
    const checkpoints: StoryStep[][] = [
      ...Array.from({ length: STORY.length + 1 }, (_, done) => STORY.slice(0, done)),
      [
        ...upTo('ASSESS_ELIGIBLE'),
        { type: 'ASSESS_NOT_ELIGIBLE', role: 'county-coordinator', payload: { reason: 'Ligger utanför överenskommelsen.' } },
      ],
      [...upTo('PLACE_ON_AGENDA'), { type: 'WITHDRAW', role: 'initiator', payload: { reason: 'Vi har inte tid i år.' } }],
      [
        ...upTo('RECORD_DECISION'),
        {
          type: 'RECORD_DECISION',
          role: 'regional-director',
          payload: { decision: 'reject', motivation: 'Budgeten räcker inte i år.', deviationMotivation: 'Pengarna behövs till annat.' },
        },
      ],
      [
        ...upTo('RECORD_FOLLOW_UP'),
        {
          type: 'RECORD_FOLLOW_UP',
          role: 'steering-group',
          payload: { date: '2026-12-01', indicatorValues: [], spentToDateOre: 0, narrative: 'Ingen har deltagit.', conclusion: 'stop' },
        },
      ],
    ] as StoryStep[][];
    for (const [n, steps] of checkpoints.entries()) {
      const id = await newCase(steps);
      const last = steps.at(-1)?.type;
      const wide = n === 0 || n === STORY.length || STORY[n]?.type === 'RECORD_FOLLOW_UP';
      for (const lang of ['sv', 'en'] as const) {
        speak(lang);
        for (const role of ROLES) {
          const at = `${role} ${lang} after ${last ?? 'creation'}`;
          const page = await get(role, `/cases/${id}`);
          check(`case page (${at})`, lang, page);
          check(`print page (${at})`, lang, await get(role, `/cases/${id}/print`));
          if (last && steps.at(-1)!.role === role)
            check(`case page after sending (${at})`, lang, await get(role, `/cases/${id}?done=${last}`));
          if (wide || role === 'county-coordinator' || role === 'initiator') {
            check(`board (${at})`, lang, await get(role, '/board'));
            check(`case list (${at})`, lang, await get(role, '/cases'));
            check(`what waits (${at})`, lang, await get(role, '/waiting'));
          }
          if (wide) {
            const money = await get(role, '/money');
            check(`money (${at})`, lang, money);
            poolUrl ??= /href="(\/money\/pools\/[^"/]+)"/.exec(money.body)?.[1];
            if (poolUrl) check(`pool (${at})`, lang, await get(role, poolUrl));
            check(`case money (${at})`, lang, await get(role, `/cases/${id}/money`));
            check(`case plan (${at})`, lang, await get(role, `/cases/${id}/plan`));
            // A person's own page, the people and the audit (where roles and acts are named).
            for (const url of ['/account', '/people', `/people/${people.initiator.id}`, '/audit', '/plan']) {
              check(`${url} (${at})`, lang, await get(role, url));
            }
            for (const report of ['', '/2026', '/2027', '/multi-year']) {
              check(`reports${report} (${at})`, lang, await get(role, `/programmes/${PROGRAMME}/reports${report}`));
            }
          }
          // Each action has a page of its own (the proposal: its question pages), linked from the case page.
          const actionPages = [];
          for (const href of new Set([...page.body.matchAll(/href="(\/cases\/[^"/]+\/(?:do\/[A-Z_]+|proposal))"/g)].map((m) => m[1]!))) {
            const action = await get(role, href);
            check(`${href.split('/').at(-1)} page (${at})`, lang, action);
            actionPages.push(action.body);
          }
          // Every form this role has on the case page and its action pages, sent with no answers
          // (an act that moves the case on comes back to be checked: that page is read too).
          let target = id;
          for (const form of [page.body, ...actionPages].flatMap((body) => formsOf(body))) {
            const res = await post(role, form.action.replace(id, target), form.hidden);
            check(`${form.action.split('/').at(-1)} sent empty (${at})`, lang, res);
            if (res.statusCode === 303) target = await newCase(steps); // an answerless event went through
          }
        }
      }
    }
    expect(report()).toEqual([]);
  }, 900_000);
});

describe('a row of a proposal is referred to by an id no one types', () => {
  it('makes the ids of activities and indicators from their names, unique in their list', async () => {
    const steps = STORY.slice(
      0,
      STORY.findIndex((s) => s.type === 'UPDATE_PROPOSAL'),
    );
    const id = await newCase(steps);
    speak('sv');
    const page = await get('initiator', `/cases/${id}/do/UPDATE_PROPOSAL`);
    const form = formsOf(page.body).find((f) => f.action.endsWith('/UPDATE_PROPOSAL'))!;
    expect(page.body).not.toMatch(/name="activities\.0\.id"[^>]*type="text"|type="text"[^>]*name="activities\.0\.id"/);
    const res = await post('initiator', form.action, [
      ...form.hidden,
      ['activities.0.title', 'Stödgrupper med peer support'],
      ['activities.1.title', 'Stödgrupper med peer support'],
      ['indicators.0.name', 'Andel i arbete, efter 12 månader'],
      ['indicators.0.unit', 'procent'],
      ['indicators.0.target', '35'],
    ]);
    expect(res.statusCode).toBe(303);
    const proposal = (t.services.cases.get(people.initiator, id, 'sv').data as { proposal: typeof FULL_PROPOSAL }).proposal;
    expect(proposal.activities!.map((a) => a.id)).toEqual(['stodgrupper-med-peer-support', 'stodgrupper-med-peer-support-2']);
    expect(proposal.indicators!.map((i) => i.id)).toEqual(['andel-i-arbete-efter-12-manader']);
  });
});
