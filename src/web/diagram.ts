import type { AnyStateNode } from 'xstate';
import { caseMachineFor } from '../../machines/versions.js';
import { t, type Language } from '../i18n/index.js';
import { diagramSvg } from './diagram-svg.js';
import { html, raw, type SafeHtml } from './html.js';

/*
 * The process diagram, generated from the case machine itself (the version the case runs
 * on), so it cannot drift from the code: every state is a box, nested as in the machine,
 * with the events it handles and where each leads. The case's current states are marked,
 * in words as well as in colour.
 */

export const stateLabelKey = (path: readonly string[]) => `states.${path.join('/')}`;

function stepOf(node: AnyStateNode): number | undefined {
  const tag = [...node.tags].find((x) => x.startsWith('step:'));
  return tag ? Number(tag.slice(5)) : undefined;
}

export function stateLabel(lang: Language, node: AnyStateNode): string {
  const step = stepOf(node);
  const name = t(lang, stateLabelKey(node.path));
  return step ? `${t(lang, 'web.step')} ${step}: ${name}` : name;
}

/** Every state path of a machine version, for the completeness test of the labels. */
export function allStatePaths(machineVersion: number): string[][] {
  const out: string[][] = [];
  const walk = (node: AnyStateNode) => {
    if (node.path.length > 0) out.push(node.path);
    for (const child of Object.values(node.states)) walk(child as AnyStateNode);
  };
  walk(caseMachineFor(machineVersion).root);
  return out;
}

export function processDiagram(lang: Language, machineVersion: number, activePaths: readonly string[]): SafeHtml {
  const machine = caseMachineFor(machineVersion);
  const active = new Set(activePaths);
  const within = (path: string) => activePaths.some((p) => p === path || p.startsWith(`${path}.`));

  const box = (node: AnyStateNode): SafeHtml => {
    const path = node.path.join('.');
    const here = active.has(path) || (within(path) && Object.keys(node.states).length === 0);
    const transitions = [...(node.transitions as Map<string, { target?: readonly AnyStateNode[] }[]>)]
      .filter(([event]) => !event.startsWith('xstate.'))
      .map(([event, definitions]) => {
        const targets = [...new Set(definitions.flatMap((d) => (d.target ?? []).map((x) => stateLabel(lang, x))))];
        return html`<li>${t(lang, `events.${event}`)} → ${targets.length ? targets.join(' / ') : html`<i>${t(lang, 'web.stays')}</i>`}</li>`;
      });
    const children = Object.values(node.states) as AnyStateNode[];
    const classes = [
      'state',
      here ? 'current' : within(path) ? 'contains-current' : '',
      node.type === 'final' ? 'final' : '',
      node.type === 'parallel' ? 'parallel' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return html`<li class="${classes}"${here ? raw(' aria-current="true"') : ''}>
<span class="state-name">${stateLabel(lang, node)}${here ? html` <strong class="here">(${t(lang, 'web.youAreHere')})</strong>` : ''}</span>
${transitions.length ? html`<ul class="transitions">${transitions}</ul>` : ''}
${children.length ? html`<ol class="states">${children.map(box)}</ol>` : ''}
</li>`;
  };

  const top = Object.values(machine.root.states) as AnyStateNode[];
  const list = html`<ol class="states diagram">${top.map(box)}</ol>`;
  // The picture once its layout is ready (prepareDiagram), with this list as its text alternative.
  const picture = diagramSvg(lang, machineVersion, { active: activePaths });
  return html`<p>${t(lang, 'web.diagramIntro', { version: machineVersion })}</p>${
    picture ? html`${picture}<details class="diagram-text"><summary>${t(lang, 'diagram.asText')}</summary>${list}</details>` : list
  }`;
}
