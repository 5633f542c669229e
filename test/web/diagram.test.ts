import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { STEPS } from '../../machines/case/catalogue.js';
import { CASE_MACHINE_VERSIONS, caseMachineFor } from '../../machines/versions.js';
import { DEFAULT_BODY_NAMES, inProgrammeWords, LANGUAGES } from '../../src/i18n/index.js';
import { diagramLayout, diagramSvg, prepareDiagram, prepareDiagrams } from '../../src/web/diagram-svg.js';
import { FULL_STORY, storyUntilStep } from '../../src/demo/story.js';
import { advance, auth, createCase, createTestApp, PROGRAMME, type TestApp } from '../helpers.js';

/*
 * The process as a picture: drawn for every machine version and language from the machine
 * itself, every state a box and every transition that leads somewhere an arrow; the case's
 * state marked in words; the board's counts per step the same as the case list's.
 */

const versions = Object.keys(CASE_MACHINE_VERSIONS).map(Number);

function statesOf(version: number) {
  const out: string[] = [];
  const walk = (n: AnyStateNode) => {
    if (n.path.length > 0) out.push(n.path.join('.'));
    for (const c of Object.values(n.states)) walk(c as AnyStateNode);
  };
  walk(caseMachineFor(version).root);
  return out;
}
function transitionsOf(version: number) {
  let n = 0;
  const walk = (node: AnyStateNode) => {
    for (const [event, defs] of node.transitions as Map<string, { target?: readonly unknown[] }[]>)
      if (!event.startsWith('xstate.')) for (const d of defs) n += d.target?.length ?? 0;
    for (const c of Object.values(node.states)) walk(c as AnyStateNode);
  };
  walk(caseMachineFor(version).root);
  return n;
}

describe('the process as a picture', () => {
  it('is laid out for every machine version and language: a box for every state, an arrow for every transition', async () => {
    for (const lang of LANGUAGES) await prepareDiagrams(lang);
    for (const version of versions) {
      for (const lang of LANGUAGES) {
        const layout = diagramLayout(lang, version)!;
        expect(layout.nodes.map((n) => n.path).sort(), `v${version} ${lang}`).toEqual(statesOf(version).sort());
        expect(layout.edges, `v${version} ${lang}`).toHaveLength(transitionsOf(version));
        for (const e of layout.edges) expect(e.points.length, e.event).toBeGreaterThanOrEqual(2);
        // Children inside their parents: the nesting of the machine.
        for (const n of layout.nodes) {
          const parent = layout.nodes.find((p) => p.path === n.path.split('.').slice(0, -1).join('.'));
          if (!parent) continue;
          expect(n.x, n.path).toBeGreaterThanOrEqual(parent.x);
          expect(n.y, n.path).toBeGreaterThanOrEqual(parent.y);
          expect(n.x + n.width, n.path).toBeLessThanOrEqual(parent.x + parent.width + 0.5);
          expect(n.y + n.height, n.path).toBeLessThanOrEqual(parent.y + parent.height + 0.5);
        }
      }
    }
  });

  it("marks the case's state in words, names the branch an event takes, and has no internal id in its text", async () => {
    for (const version of versions) {
      const svg = String(
        diagramSvg('sv', version, {
          active: ['open', 'open.preparation', 'open.preparation.decision', 'open.preparation.decision.awaitingDecision'],
        }),
      );
      expect(svg).toContain('role="img"');
      expect(svg.match(/aria-current="step"/g), `v${version}`).toHaveLength(1);
      expect(svg).toMatch(/<g class="state current"[^>]*><rect[^>]*><\/rect>\s*<text class="state-name"[^>]*><tspan[^>]*>Väntar på/);
      expect(svg).toContain('ärendet är här');
      expect(svg).toContain('Satsningen står nu vid: Väntar på regiondirektörens beslut');
      const words = svg.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
      // A follow-up report stops the initiative only when it says so.
      expect(words).toContain('(om uppföljningen avslutar satsningen)');
      for (const state of statesOf(version)) expect(words, state).not.toMatch(new RegExp(`\\b${state.split('.').at(-1)}\\b`));
      expect(words).not.toMatch(/\b(RECORD_|SUBMIT_|IMPORT_)/);
    }
    // Nothing inline for the Content-Security-Policy to refuse.
    expect(String(diagramSvg('en', 3))).not.toMatch(/style=|<script|on[a-z]+=/);
  });

  it('is laid out once, in the default names of the bodies, and drawn in the names of the programme worked in', async () => {
    const first = await prepareDiagram('sv', 2);
    expect(await prepareDiagram('sv', 2)).toBe(first);
    const bodies = structuredClone(DEFAULT_BODY_NAMES);
    bodies.decider.sv = { name: 'styrelsen för hälsa och välfärd', genitive: 'styrelsen för hälsa och välfärds' };
    const words = { bodies, roleLabels: {} };
    // Asked for again while working in a programme with longer names: the same layout, not a new one.
    expect(await inProgrammeWords(words, () => prepareDiagram('sv', 2))).toBe(first);
    const svg = inProgrammeWords(words, () => String(diagramSvg('sv', 2)));
    expect(svg.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toContain('Väntar på styrelsen för hälsa och välfärds beslut');
  });
});

describe('the picture on the pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is on the case page with the text list as its alternative, and on the board with the counts of the case list', async () => {
    const atStep = async (step: number) => {
      const id = await createCase(t, `Steg ${step}`);
      advance(t, id, storyUntilStep(step));
      return id;
    };
    const ids = [await atStep(1), await atStep(4), await atStep(4), await atStep(8), await atStep(10)];
    advance(t, await createCase(t, 'Hela vägen'), FULL_STORY);
    const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
    const page = (url: string) => t.app.inject({ url, cookies: { satsa_session: session.token }, headers: { accept: 'text/html' } });

    const casePage = (await page(`/cases/${ids[3]}`)).body;
    expect(casePage).toContain('class="process-svg"');
    expect(casePage).toContain('<summary>Processen som text</summary>');
    const svg = /<svg[\s\S]*<\/svg>/.exec(casePage)![0];
    expect(svg.match(/aria-current="step"/g)).toHaveLength(1);

    const board = (await page('/board')).body;
    const drawn = new Map(
      [...board.matchAll(/<li><a href="\/board\?step=(\d+)">[^<]*<\/a>: (\d+) ärende/g)].map((m) => [Number(m[1]), Number(m[2])]),
    );
    for (const step of STEPS) {
      let count = 0;
      let cursor: string | null = null;
      do {
        const res = await t.app.inject({
          url: `/api/cases?programme=${PROGRAMME}&step=${step}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          headers: auth(t.tokens['county-coordinator']),
        });
        const body = res.json() as { items: unknown[]; nextCursor: string | null };
        count += body.items.length;
        cursor = body.nextCursor;
      } while (cursor);
      expect(drawn.get(step), `step ${step}`).toBe(count);
    }
    expect(drawn.get(4)).toBe(2);
    expect(board).toContain('id="board-diagram-title"');
    expect(board).toMatch(/<text class="count"[^>]*>2 ärenden<\/text>/);
  });
});
