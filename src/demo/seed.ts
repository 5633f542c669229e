import crypto from 'node:crypto';
import type { Role } from '../../machines/roles.js';
import type { Services } from '../services.js';
import { programmes } from '../db/schema.js';
import { loadProgrammeDefinition } from '../programmes/config.js';
import type { Actor } from '../people/service.js';
import { DEMO_IDEA, FULL_STORY, storyUntilStep, type StoryStep } from './story.js';

/**
 * A password made for one demo user of this install: random, printed once at the first start,
 * in no source file. Groups of letters and digits, easy to type from the terminal.
 */
export function demoPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}
export const DEMO_PROGRAMME = 'uph-blekinge';
/** A second programme, organised by the agreement's five focus areas (northern Örebro county). */
export const DEMO_FOCUS_PROGRAMME = 'ph-orebro-norr';

const DEMO_USERS: { role: Role; email: string; name: string }[] = [
  { role: 'initiator', email: 'initiativtagare@demo.satsa.se', name: 'Ingrid Initiativtagare' },
  { role: 'county-coordinator', email: 'lansamordnare@demo.satsa.se', name: 'Lena Länsamordnare' },
  { role: 'local-coordinator', email: 'lokal.samordnare@demo.satsa.se', name: 'Lars Lokal' },
  { role: 'coordination-group', email: 'samordningsgrupp@demo.satsa.se', name: 'Sara Samordningsgrupp' },
  { role: 'lsvo-secretary', email: 'lsvo@demo.satsa.se', name: 'Lisa LSVO' },
  { role: 'regional-director', email: 'regiondirektor@demo.satsa.se', name: 'Rolf Regiondirektör' },
  { role: 'steering-group', email: 'styrgrupp@demo.satsa.se', name: 'Stina Styrgrupp' },
  { role: 'administrator', email: 'admin@demo.satsa.se', name: 'Adam Administratör' },
];

/**
 * Sends each story step to the case as the demo user of its role, through the engine. A
 * CONTACT_COORDINATORS the case already took when it was raised (machine version 4 on) is passed over.
 */
export function playStory(services: Services, caseId: string, steps: StoryStep[], actors: Record<string, Actor>) {
  for (const s of steps) {
    const actor = actors[s.role]!;
    const current = services.cases.get(actor, caseId, 'sv');
    if (s.type === 'CONTACT_COORDINATORS' && current.data.contact !== undefined) continue;
    services.cases.send(actor, caseId, { type: s.type, payload: s.payload, role: s.role }, current.version, 'sv', { minimal: true });
  }
}

export function isEmpty(services: Services): boolean {
  return services.db.select({ id: programmes.id }).from(programmes).limit(1).all().length === 0;
}

/**
 * On an empty database: the Blekinge programme, one user per role and cases standing at
 * different steps, all created through the engine so their histories are real.
 */
export async function seedDemo(services: Services) {
  const blekinge = await programmeWithUsers(services, DEMO_PROGRAMME, DEMO_USERS);
  const actors = blekinge.actors;
  const stands: { title: string; steps: StoryStep[] }[] = [
    { title: 'Samtalsstöd för äldre i Ronneby', steps: [] },
    { title: 'Suicidpreventiv utbildning för skolpersonal', steps: storyUntilStep(3) },
    { title: 'Kvalitetscafé om samsjuklighet', steps: storyUntilStep(5) },
    { title: 'Brukarstyrd mottagning i Karlskrona', steps: storyUntilStep(8) },
    { title: 'Föräldrastöd för små barns psykiska hälsa', steps: storyUntilStep(9) },
    { title: DEMO_IDEA.title, steps: storyUntilStep(11) },
    { title: 'Peer support på akutpsykiatrin', steps: FULL_STORY },
  ];
  // The state grant for mental health and suicide prevention, as Blekinge might receive it.
  for (const year of [2026, 2027, 2028]) {
    services.money.createPool(DEMO_PROGRAMME, actors.administrator!.id, {
      year,
      kind: 'state',
      name: `Statsbidrag psykisk hälsa och suicidprevention ${year}`,
      amountOre: 1_200_000_000,
    });
  }
  const initiator = actors.initiator!;
  for (const stand of stands) {
    const created = services.cases.create(initiator, { title: stand.title, summary: DEMO_IDEA.summary }, 'sv');
    playStory(services, created.id, stand.steps, actors);
  }
  const focus = await seedFocusProgramme(services);
  return { users: [...blekinge.users, ...focus.users] };
}

const FOCUS_USERS: { role: Role; email: string; name: string }[] = [
  { role: 'initiator', email: 'initiativtagare@orebro.demo.satsa.se', name: 'Olle Initiativtagare' },
  { role: 'county-coordinator', email: 'samordnare@orebro.demo.satsa.se', name: 'Nora Samordnare' },
  { role: 'administrator', email: 'admin@orebro.demo.satsa.se', name: 'Hanna Administratör' },
];

/**
 * Loads a programme definition and creates its demo users, one per listed role, each with a
 * password made for this install. The administrator must choose their own at the first log-in.
 */
async function programmeWithUsers(services: Services, programmeId: string, people: typeof DEMO_USERS) {
  services.programmes.upsert(loadProgrammeDefinition(programmeId));
  const actors: Record<string, Actor> = {};
  const users: { role: Role; email: string; password: string }[] = [];
  for (const u of people) {
    const password = demoPassword();
    actors[u.role] = await services.people.createUser({
      programmeId,
      email: u.email,
      displayName: u.name,
      password,
      roles: [u.role],
      passwordChangeRequired: u.role === 'administrator',
    });
    users.push({ role: u.role, email: u.email, password });
  }
  return { actors, users };
}

/** Another region's programme, fully separate: its own users, cases and money. */
async function seedFocusProgramme(services: Services) {
  const { actors, users } = await programmeWithUsers(services, DEMO_FOCUS_PROGRAMME, FOCUS_USERS);
  const year = services.now().getUTCFullYear();
  services.money.createPool(DEMO_FOCUS_PROGRAMME, actors.administrator!.id, {
    year,
    kind: 'state',
    name: `Stimulansmedel psykisk hälsa ${year}`,
    amountOre: 450_000_000,
    earmarks: [{ priorityAreaId: 'tillgangliga-tidiga-insatser', amountOre: 150_000_000 }],
  });
  const ideas = [
    { title: 'Första linjen för barn och unga i Lindesberg', area: 'tillgangliga-tidiga-insatser' },
    { title: 'MHFA-utbildning för personal i Nora och Hällefors', area: 'forebyggande-och-framjande' },
  ];
  for (const [index, idea] of ideas.entries()) {
    const created = services.cases.create(actors.initiator!, { title: idea.title, summary: idea.title }, 'sv');
    const steps: StoryStep[] = [
      { type: 'CONTACT_COORDINATORS', role: 'initiator', payload: { message: 'Vi vill pröva en idé inom handlingsplanen.' } },
      ...(index === 0
        ? [
            {
              type: 'ASSESS_ELIGIBLE',
              role: 'county-coordinator',
              payload: { priorityAreaId: idea.area, justification: 'Ligger inom fokusområdet.' },
            } as StoryStep,
          ]
        : []),
    ];
    playStory(services, created.id, steps, actors);
  }
  return { users };
}
