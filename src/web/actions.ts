import { z } from 'zod';
import { outstandingFollowUpDates, unreviewedReport, type CaseContext } from '../../machines/case/context.js';
import { eventPayloads, type CaseEventType } from '../../machines/case/schemas.js';
import { FORUM_ROLES } from '../../machines/roles.js';
import { t, type Language } from '../i18n/index.js';
import { allAreas, ideaAnswersSchema, type IdeaTemplate, type ProgrammeConfig } from '../programmes/config.js';
import type { FieldHints, FormValues, Option } from './forms.js';
import { html, type SafeHtml } from './html.js';

/*
 * What the schema of an event cannot say about its form: where a select's options come from
 * (the programme's areas, years, municipalities and users, the proposal's indicators), which
 * amounts are kronor, which rows to offer, and what to fill in from the case.
 */

export interface ActionSetup {
  schema: z.ZodType;
  hints: Record<string, FieldHints>;
  /** Values the form starts with (flat, as the form posts them). */
  initial: FormValues;
  noOptionalMarks?: boolean;
}

export interface ActionInputs {
  lang: Language;
  config: ProgrammeConfig;
  template: IdeaTemplate;
  context: CaseContext;
  /**
   * Users of the programme who could be added to the case, for the programme's own roles. An
   * initiator is not shown the programme's users: they name the person by e-mail address.
   */
  candidates: { id: string; displayName: string }[] | 'by-email';
}

/** ADD_PARTICIPANT as an initiator fills it in; the page turns the address into the user. */
export const participantByEmail = z.object({ email: z.email().max(254) }).strict();

/** Events that can be sent at any point of a stage, shown after the step's own actions. */
export const GENERAL_EVENTS = new Set<CaseEventType>(['ADD_PARTICIPANT', 'WITHDRAW', 'RECORD_CHECK_IN']);

/** Events whose payload is empty: the form is a button. */
export const emptyPayload = (type: CaseEventType) => Object.keys(z.toJSONSchema(eventPayloads[type]).properties ?? {}).length === 0;

export function areaOptions(lang: Language, config: ProgrammeConfig): Option[] {
  const labels = new Map(allAreas(config).map((a) => [a.id, a.label[lang]]));
  return allAreas(config).map((a) => ({ value: a.id, label: a.parentId ? `${labels.get(a.parentId)} – ${a.label[lang]}` : a.label[lang] }));
}

const yearOptions = (config: ProgrammeConfig): Option[] =>
  Array.from({ length: config.years.last - config.years.first + 1 }, (_, i) => String(config.years.first + i)).map((y) => ({
    value: y,
    label: y,
  }));

/**
 * The questions a programme asks its initiators to think about for each area (and sub-area),
 * shown beside the choice of area: one disclosure per area that has any, none without.
 */
export function guidingQuestions(lang: Language, config: ProgrammeConfig): SafeHtml | undefined {
  const withQuestions = config.priorityAreas.filter(
    (a) => a.guidingQuestions?.length || a.subAreas?.some((s) => s.guidingQuestions?.length),
  );
  if (withQuestions.length === 0) return undefined;
  const list = (questions: { sv: string; en: string }[] | undefined) =>
    questions?.length ? html`<ul>${questions.map((q) => html`<li>${q[lang]}</li>`)}</ul>` : '';
  return html`<div class="guiding"><p class="help">${t(lang, 'web.guidingQuestionsIntro', { taxonomy: config.taxonomy[lang].toLowerCase() })}</p>${withQuestions.map(
    (a) =>
      html`<details><summary>${a.label[lang]}</summary>${list(a.guidingQuestions)}${(a.subAreas ?? [])
        .filter((s) => s.guidingQuestions?.length)
        .map((s) => html`<h4>${s.label[lang]}</h4>${list(s.guidingQuestions)}`)}</details>`,
  )}</div>`;
}

/** The idea template's answers as a schema of its own, so each answer is a field. */
export function ideaTemplateSetup(lang: Language, template: IdeaTemplate, config: ProgrammeConfig): ActionSetup {
  const hints: Record<string, FieldHints> = {};
  for (const field of template.fields) {
    hints[`answers.${field.id}`] = {
      label: field.label[lang],
      help: field.help?.[lang],
      multiline: field.type === 'textarea',
      options:
        field.options === 'priorityAreas'
          ? areaOptions(lang, config)
          : field.options?.map((o) => ({ value: o.value, label: o.label[lang] })),
      details: field.options === 'priorityAreas' ? guidingQuestions(lang, config) : undefined,
    };
  }
  return { schema: z.object({ answers: ideaAnswersSchema(template, config) }).strict(), hints, initial: {} };
}

/** The proposal's indicators, to choose among when a value is reported. */
const indicatorOptions = (context: CaseContext): FieldHints => ({
  options: (context.proposal.indicators ?? []).map((i) => ({ value: i.id, label: `${i.name} (${i.unit})` })),
});

/** Öre as the kronor a money field shows. */
const kronor = (ore: number) => (ore / 100).toFixed(2).replace(/\.00$/, '');

export function actionSetup(type: CaseEventType, inputs: ActionInputs): ActionSetup {
  const { lang, config, context } = inputs;
  const schema = eventPayloads[type];
  switch (type) {
    case 'SUBMIT_IDEA_TEMPLATE': {
      // What the idea and the coordinators' assessment already said is not asked for again: it is filled in.
      const setup = ideaTemplateSetup(lang, inputs.template, config);
      const initial: FormValues = {};
      for (const field of inputs.template.fields) {
        if (field.id === 'title') initial[`answers.${field.id}`] = context.idea?.title;
        if (field.options === 'priorityAreas' && context.eligibility?.priorityAreaId)
          initial[`answers.${field.id}`] = context.eligibility.priorityAreaId;
      }
      return { ...setup, initial };
    }
    case 'ASSESS_ELIGIBLE':
      return { schema, initial: {}, hints: { priorityAreaId: { options: areaOptions(lang, config), label: config.taxonomy[lang] } } };
    case 'ADD_PARTICIPANT':
      if (inputs.candidates === 'by-email')
        return { schema: participantByEmail, initial: {}, hints: { email: { label: t(lang, 'web.participantEmail') } } };
      return { schema, initial: {}, hints: { userId: { options: inputs.candidates.map((u) => ({ value: u.id, label: u.displayName })) } } };
    case 'RECORD_DIALOGUE_FORUM': {
      const roles = FORUM_ROLES.map((role) => ({ role }));
      return {
        schema,
        initial: { date: context.dialogueForum.booking?.date },
        hints: {
          'attendance.role': { hidden: true },
          attendance: {
            defaultRows: roles,
            extraRows: 0,
            rowLabel: (i, values) => {
              const role = values[`attendance.${i}.role`];
              return typeof role === 'string' ? t(lang, `forumRoles.${role}`) : String(i + 1);
            },
          },
        },
      };
    }
    case 'UPDATE_PROPOSAL':
      return {
        schema,
        initial: {},
        noOptionalMarks: true,
        hints: {
          'budget.year': { options: yearOptions(config) },
          'budget.amountOre': { money: true },
          // Rows are referred to by a short id made from their name, never typed by a person.
          'activities.id': { hidden: true, slugFrom: 'title' },
          'indicators.id': { hidden: true, slugFrom: 'name' },
          // Without a list of municipalities in the programme, they are typed one per line.
          ...(config.municipalities.length > 0
            ? { 'scope.municipalities': { options: config.municipalities.map((m) => ({ value: m, label: m })) } }
            : {}),
        },
      };
    case 'RECORD_DECISION': {
      // The granted lines start as what the proposal asks for, per year.
      const perYear = new Map<number, number>();
      for (const line of context.proposal.budget ?? []) perYear.set(line.year, (perYear.get(line.year) ?? 0) + line.amountOre);
      const initial: FormValues = {};
      [...perYear]
        .sort(([a], [b]) => a - b)
        .forEach(([year, ore], i) => {
          initial[`grantedBudget.${i}.year`] = String(year);
          initial[`grantedBudget.${i}.amountOre`] = (ore / 100).toFixed(2).replace(/\.00$/, '');
        });
      return {
        schema,
        initial,
        hints: {
          'grantedBudget.year': { options: yearOptions(config) },
          'grantedBudget.amountOre': { money: true },
          grantedBudget: { extraRows: 1 },
        },
      };
    }
    case 'RECORD_FOLLOW_UP': {
      // From version 4 the follow-up reviews the initiator's report: it starts as the report says.
      const report = unreviewedReport(context);
      const initial: FormValues = {};
      if (report) {
        initial.date = report.followUpDate;
        report.indicatorValues.forEach((v, i) => {
          initial[`indicatorValues.${i}.indicatorId`] = v.indicatorId;
          initial[`indicatorValues.${i}.value`] = String(v.value);
        });
        initial.spentToDateOre = kronor(report.spentToDateOre);
      }
      return { schema, initial, hints: { 'indicatorValues.indicatorId': indicatorOptions(context), spentToDateOre: { money: true } } };
    }
    case 'SUBMIT_FOLLOW_UP_REPORT': {
      // The report is for one of the decision's follow-up dates that has none yet; the first is the one due.
      const dates = outstandingFollowUpDates(context);
      return {
        schema,
        initial: { followUpDate: dates[0] },
        hints: {
          followUpDate: { options: dates.map((d) => ({ value: d, label: d })) },
          'indicatorValues.indicatorId': indicatorOptions(context),
          spentToDateOre: { money: true },
        },
      };
    }
    case 'ASSESS_CRITERION':
      return { schema, initial: {}, hints: { criterionId: { hidden: true } } };
    default:
      return { schema, initial: {}, hints: {} };
  }
}
