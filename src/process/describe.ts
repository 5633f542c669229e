import { z } from 'zod';
import type { AnyStateNode } from 'xstate';
import { EVENT_ROLES, STEPS, STEP_COUNT } from '../../machines/case/catalogue.js';
import { REQUIREMENT_IDS } from '../../machines/case/requirements.js';
import { CASE_EVENT_TYPES, eventPayloads } from '../../machines/case/schemas.js';
import { FORUM_ROLES, ORGANISATION_KINDS, ROLES } from '../../machines/roles.js';
import { CURRENT_CASE_MACHINE_VERSION, caseMachineFor } from '../../machines/versions.js';
import { keysOf, LANGUAGES, t } from '../i18n/index.js';

const both = (key: string, params: Record<string, string> = {}) =>
  Object.fromEntries(LANGUAGES.map((lang) => [lang, t(lang, key, params)])) as Record<(typeof LANGUAGES)[number], string>;

export interface StateDescription {
  path: string;
  parent: string | null;
  type: string;
  steps: number[];
  description: string | null;
  final: boolean;
  events: string[];
}

/** Every state node of a machine, depth-first, with the events it handles itself. */
export function describeStates(machine = caseMachineFor(CURRENT_CASE_MACHINE_VERSION)): StateDescription[] {
  const out: StateDescription[] = [];
  const walk = (node: AnyStateNode) => {
    if (node.path.length > 0) {
      out.push({
        path: node.path.join('.'),
        parent: node.path.length > 1 ? node.path.slice(0, -1).join('.') : null,
        type: node.type,
        steps: [...node.tags]
          .map((tag) => /^step:(\d+)$/.exec(tag)?.[1])
          .filter(Boolean)
          .map(Number),
        description: node.description ?? null,
        final: node.type === 'final',
        events: [...new Set(node.ownEvents)].filter((e) => !e.startsWith('xstate.')),
      });
    }
    for (const child of Object.values(node.states)) walk(child as AnyStateNode);
  };
  walk(machine.root);
  return out;
}

const decisive = new Map<number, ReadonlySet<string>>();

/**
 * The events that move a case on for good in a machine version: those with a transition that
 * leaves its state (to the next step, another part of a step, or the end). The others record
 * or revise something in place (a proposal, a criterion, a check-in), and can be sent again.
 * A page asks the person to check their answers before it sends a decisive event.
 */
export function decisiveEvents(version: number): ReadonlySet<string> {
  let found = decisive.get(version);
  if (!found) {
    const events = new Set<string>();
    const walk = (node: AnyStateNode) => {
      for (const [type, transitions] of node.transitions) {
        if (!type.startsWith('xstate.') && transitions.some((tr) => (tr.target?.length ?? 0) > 0)) events.add(type);
      }
      for (const child of Object.values(node.states)) walk(child as AnyStateNode);
    };
    walk(caseMachineFor(version).root);
    found = events;
    decisive.set(version, found);
  }
  return found;
}

let cached: unknown;

/** Everything a client needs to render the process: steps, states, events, roles, rules. */
export function describeProcess() {
  cached ??= (() => {
    const states = describeStates();
    return {
      machineVersion: CURRENT_CASE_MACHINE_VERSION,
      stepCount: STEP_COUNT,
      steps: STEPS.map((step) => ({
        step,
        label: both(`steps.${step}`),
        optional: step === 6,
        states: states.filter((s) => s.steps.includes(step)).map((s) => s.path),
      })),
      states,
      // The events of the process as new cases run it: an event no state of this version
      // accepts (the import's IMPORT_DECIDED, of version 3) is no part of it.
      events: CASE_EVENT_TYPES.map((type) => ({
        type,
        label: both(`events.${type}`),
        roles: EVENT_ROLES[type],
        acceptedIn: states.filter((s) => s.events.includes(type)).map((s) => s.path),
        payloadSchema: z.toJSONSchema(eventPayloads[type], { io: 'input', unrepresentable: 'any' }),
      })).filter((e) => e.acceptedIn.length > 0),
      roles: ROLES.map((id) => ({ id, label: both(`roles.${id}`) })),
      organisationKinds: ORGANISATION_KINDS.map((id) => ({ id, label: both(`organisationKinds.${id}`) })),
      forumRoles: FORUM_ROLES.map((id) => ({ id, label: both(`forumRoles.${id}`) })),
      requirements: REQUIREMENT_IDS.map((id) => ({ id, label: both(`requirements.${id}`) })),
      outcomes: keysOf('sv')
        .filter((k) => k.startsWith('outcomes.'))
        .map((k) => ({ id: k.slice('outcomes.'.length), label: both(k) })),
    };
  })();
  return cached;
}
