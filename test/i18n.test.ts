import { describe, expect, it } from 'vitest';
import { CASE_EVENT_TYPES, STEPS } from '../machines/case/catalogue.js';
import { REQUIREMENT_IDS } from '../machines/case/requirements.js';
import { FORUM_ROLES, ORGANISATION_KINDS, ROLES } from '../machines/roles.js';
import { ERROR_CODES } from '../src/errors.js';
import { AUDIT_ACTIONS } from '../src/people/audit.js';
import { has, keysOf, languageFrom, LANGUAGES, t } from '../src/i18n/index.js';
import { loadIdeaTemplate, loadProgrammeDefinition } from '../src/programmes/config.js';

const OUTCOMES = ['not-eligible', 'withdrawn', 'rejected', 'stopped', 'implemented', 'scaled-up', 'ended'];
const REASONS = ['wrong-step', 'wrong-role', 'not-case-member', 'requirement-unmet'];

describe('Swedish and English strings', () => {
  it('both languages have exactly the same keys', () => {
    expect(keysOf('en').sort()).toEqual(keysOf('sv').sort());
  });

  it('no string is empty in either language', () => {
    for (const lang of LANGUAGES) {
      for (const key of keysOf(lang)) expect(t(lang, key).trim(), `${lang}:${key}`).not.toBe('');
    }
  });

  const required = [
    ...STEPS.map((s) => `steps.${s}`),
    ...CASE_EVENT_TYPES.map((e) => `events.${e}`),
    ...REQUIREMENT_IDS.map((r) => `requirements.${r}`),
    ...ROLES.map((r) => `roles.${r}`),
    ...ORGANISATION_KINDS.map((k) => `organisationKinds.${k}`),
    ...FORUM_ROLES.map((r) => `forumRoles.${r}`),
    ...ERROR_CODES.map((c) => `problems.${c}`),
    ...OUTCOMES.map((o) => `outcomes.${o}`),
    ...REASONS.map((r) => `reasons.${r}`),
    ...AUDIT_ACTIONS.map((a) => `audit.actions.${a}`),
  ];

  it.each(LANGUAGES)('every step, event, requirement, role, outcome, problem and audited act has a %s label', (lang) => {
    const missing = required.filter((key) => !has(lang, key));
    expect(missing).toEqual([]);
  });

  it('programme definitions and idea templates carry both languages', () => {
    const programme = loadProgrammeDefinition('uph-blekinge');
    const template = loadIdeaTemplate(programme.ideaTemplate);
    const labels = [
      programme.name,
      programme.organisation,
      ...programme.priorityAreas.map((a) => a.label),
      ...programme.criteria.map((c) => c.label),
      template.title,
      template.intro,
      ...template.fields.flatMap((f) => [f.label, ...(f.help ? [f.help] : [])]),
    ];
    for (const label of labels) {
      expect(label.sv.trim()).not.toBe('');
      expect(label.en.trim()).not.toBe('');
    }
    expect(programme.criteria).toHaveLength(8);
    expect(programme.criteria[0]!.label.sv).toBe('Motverka individers utanförskap.');
  });

  it('chooses Swedish unless English is preferred', () => {
    expect(languageFrom(undefined)).toBe('sv');
    expect(languageFrom('en-GB,en;q=0.9')).toBe('en');
    expect(languageFrom('sv-SE,en;q=0.5')).toBe('sv');
    expect(languageFrom('de-DE,en;q=0.5,sv;q=0.4')).toBe('en');
    expect(languageFrom('fr')).toBe('sv');
  });

  it('fills placeholders', () => {
    expect(t('sv', 'app.stepOf', { step: 9, total: 12 })).toBe('steg 9 av 12');
    expect(t('en', 'app.stepOf', { step: 9, total: 12 })).toBe('step 9 of 12');
  });
});
