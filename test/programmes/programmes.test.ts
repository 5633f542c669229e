import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIdeaTemplate, loadProgrammeDefinition, programmeConfigSchema, templatesDir } from '../../src/programmes/config.js';
import type { Actor } from '../../src/people/service.js';
import { FAR_FUTURE, auth, createTestApp, json, sendEvent, type TestApp } from '../helpers.js';

/* Programmes are configuration: each definition loads, and a taxonomy with sub-areas works end to end. */

let t: TestApp;
let coordinator: Actor;
let initiator: Actor;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  t.services.programmes.upsert(loadProgrammeDefinition('ph-orebro-norr'));
  initiator = await t.services.people.createUser({
    programmeId: 'ph-orebro-norr',
    email: 'i@orebro.test',
    displayName: 'I',
    roles: ['initiator'],
  });
  coordinator = await t.services.people.createUser({
    programmeId: 'ph-orebro-norr',
    email: 'c@orebro.test',
    displayName: 'C',
    roles: ['county-coordinator'],
  });
  tokens.initiator = t.services.people.createApiToken(initiator.id, 'test', FAR_FUTURE).token;
  tokens.coordinator = t.services.people.createApiToken(coordinator.id, 'test', FAR_FUTURE).token;
});
afterAll(async () => {
  await t.close();
});

describe('programme definitions', () => {
  const files = fs.readdirSync(path.join(templatesDir, 'programmes')).filter((f) => f.endsWith('.json'));

  it.each(files)('%s is valid, with its idea template, years and unique area ids', (file) => {
    const config = loadProgrammeDefinition(file.replace(/\.json$/, ''));
    expect(loadIdeaTemplate(config.ideaTemplate).fields.length).toBeGreaterThan(0);
    expect(config.years.last).toBeGreaterThanOrEqual(config.years.first);
    const ids = config.priorityAreas.flatMap((a) => [a.id, ...(a.subAreas ?? []).map((s) => s.id)]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a definition with years backwards or a sub-area without a label is refused', () => {
    const base = loadProgrammeDefinition('uph-blekinge');
    expect(programmeConfigSchema.safeParse({ ...base, years: { first: 2028, last: 2025 } }).success).toBe(false);
    const badArea = { ...base.priorityAreas[0]!, subAreas: [{ id: 'x' }] };
    expect(programmeConfigSchema.safeParse({ ...base, priorityAreas: [badArea] }).success).toBe(false);
  });
});

describe("a programme's roles", () => {
  it('a user gets only roles their programme uses, and only in a programme that exists', async () => {
    const base = t.services.programmes.get('ph-orebro-norr')!;
    const processRoles = [
      'initiator',
      'county-coordinator',
      'coordination-group',
      'lsvo-secretary',
      'regional-director',
      'steering-group',
      'administrator',
    ] as const;
    t.services.programmes.upsert({ ...base, id: 'utan-lokal', diaryPrefix: 'ULS', roles: [...processRoles] });
    const error = await t.services.people
      .createUser({ programmeId: 'utan-lokal', email: 'x@utan.test', displayName: 'X', roles: ['county-coordinator', 'local-coordinator'] })
      .catch((e: unknown) => e as { code: string; details: { errors: unknown } });
    expect(error).toMatchObject({
      code: 'validation-failed',
      details: { errors: [{ path: 'roles.1', message: 'utan-lokal has no role local-coordinator' }] },
    });
    // A programme cannot leave out a role its cases need to get through the steps.
    expect(() =>
      t.services.programmes.upsert({
        ...base,
        id: 'utan-lsvo',
        diaryPrefix: 'ULT',
        roles: processRoles.filter((r) => r !== 'lsvo-secretary'),
      }),
    ).toThrow(/lsvo-secretary/);
    const missing = await t.services.people
      .createUser({ programmeId: 'finns-inte', email: 'y@utan.test', displayName: 'Y', roles: ['initiator'] })
      .catch((e: unknown) => e as { code: string });
    expect(missing).toMatchObject({ code: 'validation-failed' });
    expect(t.services.db.$client.prepare("SELECT count(*) AS n FROM users WHERE email LIKE '%@utan.test'").get()).toEqual({ n: 0 });
  });
});

describe('a programme organised by focus areas with sub-areas', () => {
  it('assesses an idea into a sub-area, and keeps its cases apart from Blekinge', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(tokens.initiator!),
      payload: { title: 'Första linjen i Nora', summary: 'Idé' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id, diaryNumber } = json<{ id: string; diaryNumber: string }>(created);
    expect(diaryNumber).toMatch(/^PHN-2026-\d{4}$/);
    // Raising the idea sent it to the coordinators (machine version 4).
    const wrong = await sendEvent(t, id, tokens.coordinator!, {
      type: 'ASSESS_ELIGIBLE',
      payload: { priorityAreaId: 'barn-och-unga', justification: 'Blekinges område' },
    });
    expect(wrong.statusCode).toBe(422);
    const ok = await sendEvent(t, id, tokens.coordinator!, {
      type: 'ASSESS_ELIGIBLE',
      payload: { priorityAreaId: 'forsta-linjen', justification: 'Första linjen' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    // Blekinge's coordinator does not see it, and Örebro's sees none of Blekinge's.
    expect((await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: auth(t.tokens['county-coordinator']) })).statusCode).toBe(
      404,
    );
    const list = await t.app.inject({ method: 'GET', url: '/api/cases', headers: auth(tokens.coordinator!) });
    expect(json<{ items: { id: string }[] }>(list).items.map((c) => c.id)).toEqual([id]);
    const template = await t.app.inject({
      method: 'GET',
      url: '/api/programmes/ph-orebro-norr/idea-template',
      headers: auth(tokens.initiator!),
    });
    const field = json<{ fields: { id: string; options?: { value: string; parent?: string }[] }[] }>(template).fields.find(
      (f) => f.id === 'priorityArea',
    )!;
    expect(field.options).toContainEqual(expect.objectContaining({ value: 'forsta-linjen', parent: 'tillgangliga-tidiga-insatser' }));
  });
});
