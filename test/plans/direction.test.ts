import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAMME, createTestApp, type TestApp } from '../helpers.js';

/*
 * Whether a year's target is met depends on which way the indicator should go: a share to
 * raise is met at or above its target, one to bring down at or below it. The indicator may say
 * so; where it does not, the baseline decides.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  const config = t.services.programmes.get(PROGRAMME)!;
  t.services.programmes.change({ ...config, years: { first: 2022, last: 2030 } }, t.actors.administrator.id, 'planens år');
});
afterAll(async () => {
  await t.close();
});

/** Adopts a plan with one share indicator (baseline 10 %, target 20 % in 2023) and records 15 % for 2023. */
function planWith(direction: 'increase' | 'decrease' | undefined, version: number) {
  const admin = t.actors.administrator;
  // After an adoption there is no draft: each revision starts one (counter 0), saved once (1).
  t.services.plans.saveDraft(admin, PROGRAMME, 0, {
    title: 'Plan',
    goals: [{ id: 'mal', title: 'Färre i psykisk ohälsa', horizonYears: 4, targetYear: 2026, areaIds: [] }],
    indicators: [
      {
        id: 'andel',
        label: 'Andel med psykisk ohälsa',
        kind: 'percentage',
        ...(direction ? { direction } : {}),
        goalIds: ['mal'],
        baseline: { year: 2022, value: 10 },
        targets: [{ year: 2023, value: 20 }],
      },
    ],
  });
  t.services.plans.adopt(admin, PROGRAMME, 1, {
    adoptedBy: 'Regionstyrelsen',
    reference: `RS ${version}`,
    decisionDate: `2023-0${version}-15`,
    nextRevisionDue: '2027-12-31',
  });
  t.services.plans.recordValue(admin, PROGRAMME, 'andel', { year: 2023, value: 15 });
}

async function outcome(): Promise<string> {
  const session = t.services.people.createSession(t.actors['county-coordinator'].id, 1);
  const res = await t.app.inject({
    method: 'GET',
    url: '/plan',
    cookies: { satsa_session: session.token },
    headers: { accept: 'text/html' },
  });
  const text = res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  return /2023 20 % 15 % (Målet nått|Målet inte nått)/.exec(text)?.[1] ?? 'no such row';
}

describe('a target met or missed', () => {
  it('follows the baseline where the indicator names no direction, and the direction where it does', async () => {
    planWith(undefined, 1);
    // From 10 % towards 20 %: 15 % has not reached it.
    expect(await outcome()).toBe('Målet inte nått');
    planWith('decrease', 2);
    // At most 20 %: 15 % is within it.
    expect(await outcome()).toBe('Målet nått');
    const plan = t.services.plans.inForce(t.actors.administrator, PROGRAMME);
    expect(plan.document.indicators[0]).toMatchObject({ direction: 'decrease' });
  });
});
