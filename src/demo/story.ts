import type { CaseEventType, PayloadOf } from '../../machines/case/schemas.js';
import type { Role } from '../../machines/roles.js';

/**
 * A realistic initiative carried through all twelve steps: the demo data stands cases at
 * different points of it, and the tests use it as a known-good path.
 */
export interface StoryStep<T extends CaseEventType = CaseEventType> {
  type: T;
  role: Role;
  payload: PayloadOf<T>;
}

const step = <T extends CaseEventType>(type: T, role: Role, payload: PayloadOf<T>): StoryStep => ({ type, role, payload }) as StoryStep;

export const DEMO_IDEA = {
  title: 'Stödgrupper för unga vuxna med psykisk ohälsa i västra Blekinge',
  summary:
    'Unga vuxna 18–25 år som varken arbetar eller studerar och har psykisk ohälsa faller mellan kommunens och regionens stöd. Idén är gruppbaserat stöd med peer support.',
};

const CRITERIA = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];

export const FULL_PROPOSAL: PayloadOf<'UPDATE_PROPOSAL'> = {
  background: 'Andelen unga vuxna med psykisk ohälsa som står utanför arbete och studier har ökat i Karlshamn och Olofström.',
  purpose: 'Att testa ett gemensamt gruppbaserat stöd där kommun, region och brukarorganisation arbetar tillsammans.',
  goals: ['Minst 40 unga vuxna deltar under två år', 'Fler deltagare närmar sig arbete eller studier'],
  logic: 'Tidigt samordnat stöd i grupp med peer support minskar isolering och ökar stegförflyttning mot arbete eller studier.',
  targetGroup: 'Unga vuxna 18–25 år med lätt till medelsvår psykisk ohälsa som varken arbetar eller studerar.',
  participants: [
    { name: 'Karlshamns kommun, arbetsmarknadsenheten', kind: 'municipal' },
    { name: 'Region Blekinge, vuxenpsykiatrin', kind: 'regional' },
    { name: 'RSMH Blekinge', kind: 'user-organisation' },
  ],
  userParticipation: 'RSMH deltar i styrgruppen och två peer supporters leder grupperna tillsammans med personal.',
  activities: [
    {
      id: 'stodgrupper',
      title: 'Stödgrupper med peer support',
      evidence: { basis: 'evidence', reference: 'Socialstyrelsens nationella riktlinjer; studier av peer support (Cochrane 2023).' },
    },
    {
      id: 'individuellt-stod',
      title: 'Individuellt stöd enligt IPS',
      evidence: { basis: 'proven-experience', reference: 'Beprövad erfarenhet från IPS i Ronneby 2019–2022.' },
    },
  ],
  indicators: [
    { id: 'andel-i-syssla', name: 'Andel deltagare i arbete eller studier efter 12 månader', unit: 'procent', baseline: 10, target: 35 },
  ],
  budget: [
    { year: 2026, costType: 'Personal', amountOre: 65_000_000 },
    { year: 2027, costType: 'Personal', amountOre: 70_000_000 },
  ],
  economicEffects: 'Minskade kostnader för försörjningsstöd och slutenvård på sikt.',
  evaluationPlan: 'Följs upp kvartalsvis mot måtten; extern utvärdering av FoU Blekinge efter år två.',
  implementationPlan: 'Vid gott utfall tas arbetssättet in i kommunens och regionens ordinarie budget från 2028.',
  longTermGoal: 'Unga vuxna i västra Blekinge med psykisk ohälsa får samordnat stöd som leder till arbete eller studier.',
  shortTermGoals: ['Tre stödgrupper är igång under 2026', 'Minst 40 deltagare har börjat inom två år'],
  followUpPlan: 'Styrgruppen följer upp indikatorerna och kostnaderna varje halvår; rapport till LSVO en gång per år.',
  scope: { level: 'sub-regional', municipalities: ['Karlshamn', 'Olofström'] },
};

const PROTOCOL = { meetingDate: '2026-05-20', paragraph: '§ 42', diaryNumber: 'LSVO 2026/118' };

/**
 * Every event of a case's whole life on the current machine version, in order, each by the
 * role that sends it. Its first, CONTACT_COORDINATORS, is recorded when the idea is raised
 * (machine version 4 on): a new case has already taken it (see `storyUntilStep`).
 */
export const FULL_STORY: StoryStep[] = [
  step('CONTACT_COORDINATORS', 'initiator', { message: 'Vi vill diskutera en idé om stödgrupper för unga vuxna.' }),
  step('ASSESS_ELIGIBLE', 'county-coordinator', {
    priorityAreaId: 'barn-och-unga',
    justification: 'I linje med överenskommelsens fokus på tidiga insatser och ungas psykiska hälsa.',
  }),
  step('SUBMIT_IDEA_TEMPLATE', 'initiator', {
    answers: {
      title: 'Stödgrupper för unga vuxna',
      organisation: 'Karlshamns kommun',
      problem: 'Unga vuxna med psykisk ohälsa får inte samordnat stöd.',
      idea: 'Gruppbaserat stöd med peer support, gemensamt för kommun och region.',
      targetGroup: 'Unga vuxna 18–25 år',
      priorityArea: 'barn-och-unga',
      partners: 'Karlshamns kommun, vuxenpsykiatrin, RSMH',
      userParticipation: 'Peer supporters leder grupperna.',
      expectedEffects: 'Fler i arbete eller studier, minskad isolering.',
      estimatedCostSek: 1_350_000,
    },
  }),
  step('PLACE_ON_AGENDA', 'county-coordinator', { meetingDate: '2026-02-12' }),
  step('RECORD_COORDINATION_GROUP_REVIEW', 'coordination-group', {
    meetingDate: '2026-02-12',
    actorsToInvolve: [
      { name: 'Arbetsförmedlingen', kind: 'business' },
      { name: 'RSMH Blekinge', kind: 'user-organisation' },
    ],
    notes: 'Samordningsgruppen föreslår att Arbetsförmedlingen och RSMH bjuds in.',
  }),
  step('BOOK_DIALOGUE_FORUM', 'county-coordinator', { date: '2026-03-10', place: 'Kvalitetscafé, Karlshamn' }),
  step('RECORD_DIALOGUE_FORUM', 'county-coordinator', {
    date: '2026-03-10',
    attendance: [
      { role: 'idea-owner', present: true },
      { role: 'identified-actors', present: true, organisation: 'Arbetsförmedlingen' },
      { role: 'county-coordinator', present: true },
      { role: 'suicide-prevention-coordinator', present: false, absenceReason: 'Sjuk; har lämnat synpunkter skriftligt.' },
      { role: 'local-coordinator', present: true, organisation: 'Karlshamns kommun' },
      { role: 'user-organisation', present: true, organisation: 'RSMH Blekinge' },
    ],
    summary: 'Behovet bekräftades; målgruppen avgränsades till 18–25 år.',
  }),
  step('RECORD_TARGET_GROUP_DIALOGUE', 'county-coordinator', {
    date: '2026-03-24',
    targetGroups: ['Unga vuxna i daglig verksamhet'],
    summary: 'Deltagarna vill ha kvällstider och stöd av personer med egen erfarenhet.',
  }),
  step('RECORD_CHECK_IN', 'local-coordinator', {
    date: '2026-04-02',
    group: 'Ledningsgrupp socialtjänst Karlshamn',
    notes: 'Ledningsgruppen ställer sig bakom att underlaget skrivs fram.',
  }),
  step('START_PROPOSAL', 'county-coordinator', {}),
  step('UPDATE_PROPOSAL', 'initiator', FULL_PROPOSAL),
  ...CRITERIA.map((criterionId) =>
    step('ASSESS_CRITERION', 'county-coordinator', {
      criterionId,
      fulfilled: true,
      justification: `Underlaget visar hur satsningen uppfyller kriterium ${criterionId}.`,
    }),
  ),
  step('SUBMIT_TO_LSVO', 'county-coordinator', {}),
  step('RECORD_RECOMMENDATION', 'lsvo-secretary', {
    recommendation: 'approve',
    motivation: 'LSVO rekommenderar att satsningen genomförs.',
    protocol: PROTOCOL,
  }),
  step('RECORD_DECISION', 'regional-director', {
    decision: 'approve',
    motivation: 'Satsningen genomförs enligt LSVO:s rekommendation.',
    grantedBudget: [
      { year: 2026, amountOre: 65_000_000 },
      { year: 2027, amountOre: 70_000_000 },
    ],
    followUpDates: ['2026-12-01', '2027-06-01', '2027-12-01'],
  }),
  step('SUBMIT_FOLLOW_UP_REPORT', 'initiator', {
    followUpDate: '2026-12-01',
    indicatorValues: [{ indicatorId: 'andel-i-syssla', value: 18 }],
    spentToDateOre: 30_000_000,
    done: 'Tre stödgrupper har startat i Karlshamn och Olofström; peer supporters är anställda och utbildade.',
    results: '22 deltagare; 18 % av dem är nu i arbete eller studier.',
    deviations: 'Gruppen i Olofström startade två månader senare än planerat, eftersom lokalen inte var klar.',
  }),
  step('RECORD_FOLLOW_UP', 'steering-group', {
    date: '2026-12-01',
    indicatorValues: [{ indicatorId: 'andel-i-syssla', value: 18 }],
    spentToDateOre: 30_000_000,
    narrative: 'Tre grupper har startat; 22 deltagare.',
    conclusion: 'continue',
  }),
  step('RECORD_SEMINAR', 'county-coordinator', {
    date: '2027-03-15',
    title: 'Lärandeseminarium: peer support i praktiken',
    audience: 'Kommuner och region i Blekinge',
  }),
  step('UPDATE_SCALE_UP_PLAN', 'county-coordinator', {
    plan: 'Arbetssättet införs i alla fem kommuner med gemensam finansiering från 2028.',
  }),
  step('END_INITIATIVE', 'steering-group', { endDate: '2027-12-31', summary: 'Målen nåddes: 37 % i arbete eller studier.' }),
  step('RECORD_SCALE_UP_RECOMMENDATION', 'lsvo-secretary', {
    recommendation: 'scale-up',
    motivation: 'Goda resultat; LSVO rekommenderar uppskalning i hela länet.',
    protocol: { meetingDate: '2028-01-25', paragraph: '§ 7', diaryNumber: 'LSVO 2028/12' },
  }),
  step('RECORD_SCALE_UP_DECISION', 'regional-director', {
    decision: 'scale-up',
    motivation: 'Arbetssättet skalas upp i hela Blekinge.',
  }),
];

/** The events raising an idea records itself on the current machine version (see `ideaSentOnCreate`). */
export const RECORDED_AT_CREATION: readonly CaseEventType[] = ['CONTACT_COORDINATORS'];

/** FULL_STORY as a case of machine version 1–3 lives it: no follow-up reports before version 4. */
export function storyOfVersion(version: number): StoryStep[] {
  return version >= 4 ? FULL_STORY : FULL_STORY.filter((s) => s.type !== 'SUBMIT_FOLLOW_UP_REPORT');
}

/**
 * The events of FULL_STORY that bring a case just raised to stand at `step`: those after
 * what its creation records. A new case stands at step 2 already, so for steps 1 and 2 there
 * are none.
 */
export function storyUntilStep(step: number): StoryStep[] {
  const firstOfStep: Record<number, CaseEventType> = {
    1: 'CONTACT_COORDINATORS',
    2: 'ASSESS_ELIGIBLE',
    3: 'SUBMIT_IDEA_TEMPLATE',
    4: 'PLACE_ON_AGENDA',
    5: 'BOOK_DIALOGUE_FORUM',
    6: 'RECORD_TARGET_GROUP_DIALOGUE',
    7: 'RECORD_CHECK_IN',
    8: 'UPDATE_PROPOSAL',
    9: 'RECORD_RECOMMENDATION',
    // Steps 10–12 are entered together, by the director's approval.
    10: 'SUBMIT_FOLLOW_UP_REPORT',
    11: 'SUBMIT_FOLLOW_UP_REPORT',
    12: 'SUBMIT_FOLLOW_UP_REPORT',
  };
  const stop = FULL_STORY.findIndex((s) => s.type === firstOfStep[step]);
  return (stop < 0 ? FULL_STORY : FULL_STORY.slice(0, stop)).filter((s) => !RECORDED_AT_CREATION.includes(s.type));
}
