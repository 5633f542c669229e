import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_STORY } from '../../src/demo/story.js';
import { loadProgrammeDefinition } from '../../src/programmes/config.js';
import { auth, createTestApp, FAR_FUTURE, json, sendEvent, type TestApp } from '../helpers.js';

/*
 * Seed 000 (Örebro county's action plan for mental health): three target areas, each with
 * sub-areas and the questions to think about, as configuration only. Loaded as the command
 * line loads a programme, it runs with no code of its own: an initiator reads the guiding
 * questions where they pick a target area, and the case goes on in the programme's own words.
 */

const ID = 'ph-orebro-lan';
let t: TestApp;
let initiator: string;
let coordinator: string;

beforeAll(async () => {
  t = await createTestApp();
  t.services.programmeAdmin.loadDefinition(loadProgrammeDefinition(ID));
  const token = async (role: 'initiator' | 'county-coordinator', email: string) => {
    const user = await t.services.people.createUser({ programmeId: ID, email, displayName: email, roles: [role] });
    return t.services.people.createApiToken(user.id, 'test', FAR_FUTURE).token;
  };
  initiator = await token('initiator', 'ida@orebro.example');
  coordinator = await token('county-coordinator', 'utv@orebro.example');
});
afterAll(async () => {
  await t.close();
});

const payloadOf = (type: string) => FULL_STORY.find((s) => s.type === type)!.payload as Record<string, unknown>;

describe("seed 000's programme, from configuration alone", () => {
  it('has its three target areas, with sub-areas and guiding questions, in the API', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/programmes/${ID}/idea-template`, headers: auth(initiator) });
    expect(res.statusCode).toBe(200);
    const field = json<{ fields: { id: string; options?: { value: string; parent?: string; guidingQuestions?: { sv: string }[] }[] }[] }>(
      res,
    ).fields.find((f) => f.id === 'priorityArea')!;
    expect(field.options!.filter((o) => !o.parent).map((o) => o.value)).toEqual([
      'halsofromjande-samhalle',
      'rustade-individer',
      'hallbara-stod',
    ]);
    expect(field.options!.find((o) => o.value === 'tidigt-stod')!.guidingQuestions![0]!.sv).toBe(
      'Vad innebär ”första linjen” i Örebro län och hur ska den utvecklas?',
    );
  });

  it('shows an initiator the guiding questions where they choose the target area, and takes the answer', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: auth(initiator),
      payload: { programmeId: ID, title: 'Första linjen i Lekeberg', summary: 'Tidigt stöd på vårdcentralen.' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = json<{ id: string; diaryNumber: string }>(created).id;
    expect(json<{ diaryNumber: string }>(created).diaryNumber).toMatch(/^PHO-/);
    // Raising the idea sent it to the coordinators (machine version 4).
    const eligible = await sendEvent(t, id, coordinator, {
      type: 'ASSESS_ELIGIBLE',
      payload: { ...payloadOf('ASSESS_ELIGIBLE'), priorityAreaId: 'tidigt-stod' },
    });
    expect(eligible.statusCode, eligible.body).toBe(200);

    const user = t.services.people.userByEmail('ida@orebro.example')!;
    const session = t.services.people.createSession(user.id, 1);
    const page = await t.app.inject({
      method: 'GET',
      url: `/cases/${id}/do/SUBMIT_IDEA_TEMPLATE`,
      cookies: { satsa_session: session.token },
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Frågor att fundera på för varje målområde');
    expect(page.body).toMatch(/<details><summary>Hållbara stöd till de som behöver<\/summary>/);
    expect(page.body).toContain('Hur kan personer med komplex problematik få samordnat stöd?');
    // The programme's own words: its development leads, not Blekinge's county coordinators.
    expect(page.body).not.toContain('länsamordnarna');

    const answers = {
      title: 'Första linjen i Lekeberg',
      organisation: 'Lekebergs kommun',
      priorityArea: 'tidigt-stod',
      need: 'Långa väntetider till stöd.',
      idea: 'En mottagning för tidigt stöd på vårdcentralen.',
      actors: 'Kommunen, regionen och en förening.',
    };
    const submitted = await sendEvent(t, id, initiator, { type: 'SUBMIT_IDEA_TEMPLATE', payload: { answers } });
    expect(submitted.statusCode, submitted.body).toBe(200);
  });
});
