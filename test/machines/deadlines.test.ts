import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import type { CaseInput } from '../../machines/case/context.js';
import { CASE_DEADLINES, TIMER_KINDS } from '../../machines/case/deadlines.js';
import type { CaseEvent } from '../../machines/case/schemas.js';
import { CASE_MACHINE_VERSIONS } from '../../machines/versions.js';
import { FULL_STORY } from '../../src/demo/story.js';
import { machineInput } from '../expected.js';
import { TIMER_KINDS as NOTIFIED_TIMER_KINDS } from '../../src/notifications/rules.js';

/*
 * The deadlines declared beside the chart: one declaration per timer kind, each belonging
 * to a state the case passes through; and the charts stay free of the engine.
 */

const INPUT: CaseInput = machineInput('Deadlines', '2026-01-15T09:00:00.000Z');

describe('the declared deadlines', () => {
  it('declare every timer kind once; the notification rules know the same kinds', () => {
    expect(CASE_DEADLINES.map((d) => d.kind)).toEqual([...TIMER_KINDS]);
    expect(NOTIFIED_TIMER_KINDS).toBe(TIMER_KINDS);
  });

  it.each(Object.keys(CASE_MACHINE_VERSIONS).map(Number))('belong to states the demo story passes through on version %i', (version) => {
    const machine = CASE_MACHINE_VERSIONS[version as keyof typeof CASE_MACHINE_VERSIONS] as unknown as AnyStateMachine;
    let [snapshot] = initialTransition(machine, INPUT) as [AnyMachineSnapshot, unknown];
    const reached = new Set<string>();
    for (const step of FULL_STORY) {
      [snapshot] = transition(machine, snapshot, {
        type: step.type,
        payload: step.payload,
        meta: { actorId: `u-${step.role}`, role: step.role, at: '2026-02-01T10:00:00.000Z' },
      } as CaseEvent) as [AnyMachineSnapshot, unknown];
      for (const deadline of CASE_DEADLINES) {
        if (snapshot.matches(deadline.state as never) && deadline.countsFrom(snapshot.context).length > 0) reached.add(deadline.kind);
      }
    }
    expect([...reached]).toEqual([...TIMER_KINDS]);
  });
});

describe('machines/', () => {
  it('imports only xstate, zod and its own files', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../machines');
    const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const outside = files.flatMap((file) =>
      [...fs.readFileSync(path.join(root, file), 'utf8').matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g)]
        .map((m) => m[1] ?? m[2]!)
        .filter((spec) =>
          spec.startsWith('.')
            ? !path.resolve(root, path.dirname(file), spec).startsWith(`${root}${path.sep}`)
            : spec !== 'xstate' && spec !== 'zod',
        )
        .map((spec) => `${file}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });
});
