import fs from 'node:fs';
import path from 'node:path';
import type { AnyStateNode } from 'xstate';
import { REQUIREMENT_IDS } from '../../machines/case/requirements.js';
import { CASE_MACHINE_VERSIONS, caseMachineFor } from '../../machines/versions.js';
import { inDefaultWords, LANGUAGES, t, type Language } from '../i18n/index.js';
import { templatesDir } from '../programmes/config.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * The process as a picture: every state of the case's own machine version a box (nested as in
 * the machine), every transition that leads somewhere an arrow named by its event and, where
 * the event may go more than one way, by what decides it ("om beslutet är ja"). The layout is
 * computed by ELK (elkjs, the Eclipse Layout Kernel) once per machine version and language and
 * committed in templates/diagrams/layouts.json (`npm run diagrams:write`; a test holds it to a
 * fresh computation), so no request and no start waits for ELK; a version the file lacks is laid
 * out when it is first drawn. The SVG is then written here, with nothing inline
 * for the Content-Security-Policy to refuse. The case's state is marked in words as well as
 * by its look; on the board, each step shows how many cases stand at it.
 */

const CHAR = 8; // the average width of a character at the diagram's 13px, in px
const LINE = 17;
const MAX_CHARS = 26;
const EDGE_CHARS = 24;

type Point = { x: number; y: number };

interface LaidNode {
  path: string;
  x: number;
  y: number;
  width: number;
  height: number;
  compound: boolean;
  final: boolean;
  steps: number[];
}

interface LaidEdge {
  points: Point[];
  event: string;
  /** The guard that picks this branch, if the event goes more than one way. */
  when?: string;
  label?: { x: number; y: number; width: number; height: number };
}

export interface DiagramLayout {
  width: number;
  height: number;
  nodes: LaidNode[];
  edges: LaidEdge[];
}

/** Words broken into lines of at most `max` characters. */
function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const stepsOf = (node: AnyStateNode) =>
  [...node.tags]
    .map((tag) => /^step:(\d+)$/.exec(tag)?.[1])
    .filter(Boolean)
    .map(Number);

function nodeLabel(lang: Language, path: string, steps: readonly number[]) {
  const name = t(lang, `states.${path.replace(/\./g, '/')}`);
  return steps.length === 1 ? `${t(lang, 'web.step')} ${steps[0]}: ${name}` : name;
}

/** The guard that picks this branch of an event (not one of the rules it checks); none for an event that goes one way. */
function choiceOf(guard: unknown): string | undefined {
  const names = typeof guard === 'string' ? [guard] : ((guard as { guards?: unknown[] } | undefined)?.guards ?? []);
  return names.find((n): n is string => typeof n === 'string' && !(REQUIREMENT_IDS as readonly string[]).includes(n));
}

function edgeLabel(lang: Language, event: string, when: string | undefined) {
  return when ? `${t(lang, `events.${event}`)} (${t(lang, `diagram.when.${when}`)})` : t(lang, `events.${event}`);
}

interface ElkLabel {
  text: string;
  width: number;
  height: number;
  x?: number;
  y?: number;
}
interface ElkNode {
  id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  children?: ElkNode[];
  edges?: {
    id: string;
    sources: string[];
    targets: string[];
    event: string;
    when?: string;
    labels?: ElkLabel[];
    sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
  }[];
  labels?: ElkLabel[];
  layoutOptions?: Record<string, string>;
}

/** The graph ELK lays out: states as nodes (compound ones holding their children), transitions as edges. */
function graphOf(lang: Language, machineVersion: number) {
  const machine = caseMachineFor(machineVersion);
  const info = new Map<string, AnyStateNode>();
  const edges: NonNullable<ElkNode['edges']> = [];
  const toElk = (node: AnyStateNode): ElkNode => {
    const id = node.path.join('.');
    const lines = wrap(nodeLabel(lang, id, stepsOf(node)), MAX_CHARS);
    info.set(id, node);
    const children = (Object.values(node.states) as AnyStateNode[]).map(toElk);
    for (const [event, definitions] of node.transitions as Map<string, { target?: readonly AnyStateNode[]; guard?: unknown }[]>) {
      if (event.startsWith('xstate.')) continue;
      for (const [i, d] of definitions.entries()) {
        for (const target of d.target ?? []) {
          const when = choiceOf(d.guard);
          const text = edgeLabel(lang, event, when);
          const labelLines = wrap(text, EDGE_CHARS);
          edges.push({
            id: `${id}:${event}:${i}:${target.path.join('.')}`,
            sources: [id],
            targets: [target.path.join('.')],
            event,
            when,
            labels: [{ text, width: Math.max(...labelLines.map((l) => l.length)) * CHAR * 0.92 + 6, height: labelLines.length * 15 + 4 }],
          });
        }
      }
    }
    const width = Math.max(...lines.map((l) => l.length)) * CHAR + 20;
    const height = lines.length * LINE + 14;
    return children.length
      ? {
          id,
          children,
          labels: [{ text: lines.join(' '), width, height }],
          layoutOptions: {
            'elk.padding': `[top=${height + 8},left=12,bottom=12,right=12]`,
            'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT',
          },
        }
      : { id, width, height };
  };
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '28',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.json.edgeCoords': 'ROOT',
      'elk.json.shapeCoords': 'ROOT',
    },
    children: (Object.values(machine.root.states) as AnyStateNode[]).map(toElk),
  };
  root.edges = edges;
  return { root, info };
}

const layouts = new Map<string, Promise<DiagramLayout>>();
const ready = new Map<string, DiagramLayout>();

/** Where the committed layouts are (see the comment at the top). */
export const LAYOUTS_FILE = path.join(templatesDir, 'diagrams', 'layouts.json');

/** The committed layouts, by "version:language". */
function committedLayouts(): Record<string, DiagramLayout> {
  try {
    return JSON.parse(fs.readFileSync(LAYOUTS_FILE, 'utf8')) as Record<string, DiagramLayout>;
  } catch {
    return {};
  }
}
for (const [key, layout] of Object.entries(committedLayouts())) {
  // Only for the machines this code has (a test version added later is laid out when drawn).
  if (key.split(':')[0]! in CASE_MACHINE_VERSIONS) {
    ready.set(key, layout);
    layouts.set(key, Promise.resolve(layout));
  }
}

/** Lays out the diagram of a machine version in a language with ELK (what the committed file holds). */
export async function computeLayout(lang: Language, machineVersion: number): Promise<DiagramLayout> {
  const loaded = (await import('elkjs/lib/elk.bundled.js')) as unknown as {
    default: new () => { layout(graph: unknown): Promise<unknown> };
  };
  const ELK = loaded.default;
  // Laid out in the default names of the bodies: one layout serves every programme.
  const { root, info } = inDefaultWords(() => graphOf(lang, machineVersion));
  const laid = (await new ELK().layout(root)) as ElkNode;
  const nodes: LaidNode[] = [];
  const walk = (n: ElkNode) => {
    for (const c of n.children ?? []) {
      const node = info.get(c.id)!;
      nodes.push({
        path: c.id,
        x: c.x!,
        y: c.y!,
        width: c.width!,
        height: c.height!,
        compound: (c.children?.length ?? 0) > 0,
        final: node.type === 'final',
        steps: stepsOf(node),
      });
      walk(c);
    }
  };
  walk(laid);
  const edges = (laid.edges ?? []).map((e): LaidEdge => {
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    const l = e.labels?.[0];
    return {
      points,
      event: e.event,
      when: e.when,
      label: l && l.x !== undefined ? { x: l.x, y: l.y!, width: l.width, height: l.height } : undefined,
    };
  });
  return { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), nodes, edges };
}

/** Every layout, by "version:language", as the committed file holds them (its text). */
export async function freshLayouts(): Promise<string> {
  const all: Record<string, DiagramLayout> = {};
  for (const version of Object.keys(CASE_MACHINE_VERSIONS).map(Number)) {
    for (const lang of LANGUAGES) all[`${version}:${lang}`] = await computeLayout(lang, version);
  }
  return `${JSON.stringify(all)}\n`;
}

/** The layout of a machine version in a language: the committed one, else laid out once (later calls get the same). */
export function prepareDiagram(lang: Language, machineVersion: number): Promise<DiagramLayout> {
  const key = `${machineVersion}:${lang}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = computeLayout(lang, machineVersion).then((done) => {
      ready.set(key, done);
      return done;
    });
    layouts.set(key, layout);
    layout.catch(() => layouts.delete(key));
  }
  return layout;
}

/** Lays out the diagram of every machine version in a language (once). */
export const prepareDiagrams = (lang: Language) =>
  Promise.all(Object.keys(CASE_MACHINE_VERSIONS).map((v) => prepareDiagram(lang, Number(v)))).then(() => undefined);

/** The layout if it is ready (see prepareDiagram). */
export const diagramLayout = (lang: Language, machineVersion: number) => ready.get(`${machineVersion}:${lang}`);

const r = (n: number) => Math.round(n * 10) / 10;

/**
 * The diagram as SVG, or nothing if its layout is not ready yet. `active` are the case's
 * state paths (dotted); `counts`, on the board, the number of cases at each step.
 */
export function diagramSvg(
  lang: Language,
  machineVersion: number,
  o: { active?: readonly string[]; counts?: ReadonlyMap<number, number>; id?: string } = {},
): SafeHtml | '' {
  const layout = diagramLayout(lang, machineVersion);
  if (!layout) return '';
  const id = o.id ?? 'process-diagram';
  const active = new Set(o.active ?? []);
  const here = (path: string) => active.has(path);
  const text = (lines: string[], x: number, y: number, cls: string) =>
    html`<text class="${cls}" x="${r(x)}" y="${r(y)}">${lines.map((line, i) => html`<tspan x="${r(x)}" dy="${i === 0 ? 0 : LINE}">${line}</tspan>`)}</text>`;
  // "Du är här" on a dark tab over the box's top edge, so that it is words, not only colour.
  const hereMark = (n: LaidNode) => {
    const words = t(lang, 'web.youAreHere');
    const width = words.length * 6.8 + 12;
    const x = n.x + n.width - width - 6;
    return html`<rect class="here-bg" x="${r(x)}" y="${r(n.y - 15)}" width="${r(width)}" height="17" rx="3"></rect>${text([words], x + 6, n.y - 2, 'here')}`;
  };
  const nodes = layout.nodes.map((n) => {
    const current = here(n.path) && !n.compound;
    const count = o.counts && n.steps.length === 1 && !n.compound ? (o.counts.get(n.steps[0]!) ?? 0) : undefined;
    const classes = [
      'state',
      n.compound ? 'compound' : '',
      n.final ? 'final' : '',
      current ? 'current' : '',
      here(n.path) && n.compound ? 'contains-current' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return html`<g class="${classes}"${current ? raw(' aria-current="step"') : ''}><rect x="${r(n.x)}" y="${r(n.y)}" width="${r(n.width)}" height="${r(n.height)}" rx="6"></rect>
${text(wrap(nodeLabel(lang, n.path, n.steps), Math.max(MAX_CHARS, Math.floor((n.width - 20) / CHAR))), n.x + 10, n.y + 19, 'state-name')}${current ? hereMark(n) : ''}${
      count !== undefined
        ? html`<text class="count" x="${r(n.x + n.width - 8)}" y="${r(n.y + n.height - 6)}">${t(lang, count === 1 ? 'diagram.oneCase' : 'diagram.cases', { count })}</text>`
        : ''
    }</g>`;
  });
  const edges = layout.edges.map((e) => {
    const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(p.x)} ${r(p.y)}`).join(' ');
    const label = e.label
      ? html`<rect class="event-bg" x="${r(e.label.x)}" y="${r(e.label.y)}" width="${r(e.label.width)}" height="${r(e.label.height)}"></rect>${text(wrap(edgeLabel(lang, e.event, e.when), EDGE_CHARS), e.label.x + 3, e.label.y + 12, 'event')}`
      : '';
    return html`<g class="transition"><path d="${d}" marker-end="url(#${id}-arrow)"></path>${label}</g>`;
  });
  const where = layout.nodes.filter((n) => here(n.path) && !n.compound).map((n) => nodeLabel(lang, n.path, n.steps));
  const desc = where.length ? t(lang, 'diagram.descHere', { states: where.join(', ') }) : t(lang, 'diagram.desc');
  return html`<figure class="process-picture"><svg xmlns="http://www.w3.org/2000/svg" class="process-svg" viewBox="-4 -4 ${layout.width + 8} ${layout.height + 24}" width="${layout.width + 8}" role="img" aria-labelledby="${id}-title ${id}-desc">
<title id="${id}-title">${t(lang, 'diagram.title', { version: machineVersion })}</title><desc id="${id}-desc">${desc}</desc>
<defs><marker id="${id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z"></path></marker></defs>
<g class="states">${nodes.filter((_, i) => layout.nodes[i]!.compound)}</g><g class="edges">${edges}</g><g class="states">${nodes.filter((_, i) => !layout.nodes[i]!.compound)}</g></svg></figure>`;
}
