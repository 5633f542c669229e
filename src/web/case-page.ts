import { EVENT_ROLES } from '../../machines/case/catalogue.js';
import type { CaseContext } from '../../machines/case/context.js';
import type { CaseEventType } from '../../machines/case/schemas.js';
import type { CaseService, CaseView } from '../cases/service.js';
import { t, type Language } from '../i18n/index.js';
import { formatOre } from '../money/format.js';
import type { Actor } from '../people/service.js';
import { belongsTo } from '../people/actor.js';
import { allAreas, type IdeaTemplate, type ProgrammeConfig } from '../programmes/config.js';
import { actionSetup, emptyPayload, GENERAL_EVENTS, type ActionInputs } from './actions.js';
import { dateTime } from './dates.js';
import { conversationSection, type ConversationInput } from './conversation.js';
import { documentsSection, type DocumentsSectionInput } from './documents.js';
import { processDiagram } from './diagram.js';
import {
  errorSummary,
  fieldLabel,
  formValues,
  optionLabel,
  renderFields,
  type FormContext,
  type FormErrors,
  type FormValues,
} from './forms.js';
import { html, raw, written, type SafeHtml } from './html.js';
import { backLink } from './questions.js';
import { stepTrack } from './layout.js';

/*
 * The case page: where the case stands, what happens next and who acts, the caller's own
 * actions as forms (and why others are not possible yet), everything recorded so far, the
 * history, and the process diagram with the case's position.
 */

export type { CaseView };
export type CaseHistory = ReturnType<CaseService['history']>;

/** A form sent back to its author: their values, the errors, messages for the whole form. */
export interface FormState {
  type: CaseEventType;
  /** Which of several forms of one event (the criterion id of a criteria form). */
  key?: string;
  values: FormValues;
  errors: FormErrors;
  messages: string[];
}

/** What an action's page needs; the case page needs more (CasePageInput). */
export interface ActionPageInput {
  lang: Language;
  actor: Actor;
  csrfToken: string;
  view: CaseView;
  config: ProgrammeConfig;
  template: IdeaTemplate;
  /** Display names of everyone the case mentions. */
  names: Map<string, string>;
  candidates: ActionInputs['candidates'];
  notice?: { kind: 'success' | 'conflict' | 'error'; text: string; items?: string[] };
  form?: FormState;
  /** The events that move the case on for good in its machine version: their forms end in a check of the answers. */
  decisive: ReadonlySet<string>;
  /** The criterion whose assessment was just saved (its form is where the person is). */
  savedCriterion?: string;
  /** After a conflict: what happened to the case since the person opened the form. */
  changedSince?: CaseHistory['events'];
  /** Whether the reader keeps a draft of the proposal (the link to write it says "continue"). */
  proposalDraft?: boolean;
}

export interface CasePageInput extends ActionPageInput {
  history: CaseHistory;
  /** The goals and rows of the programme's plan the case serves, for the programme's own roles (none when there is no plan). */
  plan?: { goals: string[]; rows: string[]; change: boolean };
  /** The conversation, who follows the case and its guests (./conversation.ts). */
  conversation?: ConversationInput;
  /** The case's documents and the form that adds one. */
  documents?: DocumentsSectionInput;
}

const META_KEYS = new Set(['by', 'role', 'at']);

/** Any recorded value as a readable list: labels from the field names, amounts in kronor, enums by label. */
export function dataList(lang: Language, value: unknown, name: string, names: Map<string, string>, event?: string): SafeHtml {
  if (value === undefined || value === null || value === '') return html``;
  if (typeof value === 'boolean') return html`${t(lang, `options.boolean.${value}`)}`;
  if (typeof value === 'number') {
    // A year is a year (2027), not a number with a thousands space (2 027).
    if (/(^|[a-z])[yY]ear$/.test(name)) return html`${String(value)}`;
    return html`${name.endsWith('Ore') ? formatOre(value, lang) : value.toLocaleString(lang === 'sv' ? 'sv-SE' : 'en-GB')}`;
  }
  if (typeof value === 'string') {
    if (name === 'userId' || name === 'by') return html`${names.get(value) ?? value}`;
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return html`${dateTime(lang, value)}`;
    const label = optionLabel(lang, name, value);
    // A label of ours is in the page's language; what someone wrote is in Swedish.
    return label === value ? written(lang, value) : html`<span class="text">${label}</span>`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return html`–`;
    if (value.every((v) => typeof v !== 'object'))
      return html`<ul>${value.map((v) => html`<li>${dataList(lang, v, name, names, event)}</li>`)}</ul>`;
    return html`<ol class="records">${value.map((v) => html`<li>${dataList(lang, v, name, names, event)}</li>`)}</ol>`;
  }
  const record = value as Record<string, unknown>;
  const recorded = typeof record.by === 'string' && typeof record.at === 'string';
  // A row's `id` is for the system to refer to it by, not for a person to read.
  const entries = Object.entries(record).filter(([k, v]) => !(recorded && META_KEYS.has(k)) && k !== 'id' && v !== undefined);
  const meta = recorded
    ? html`<p class="meta">${t(lang, 'web.recordedBy', { name: names.get(String(record.by)) ?? String(record.by), role: t(lang, `roles.${String(record.role)}`), at: dateTime(lang, String(record.at)) })}</p>`
    : '';
  return html`<dl>${entries.map(([k, v]) => html`<dt>${fieldLabel(lang, `${name}.${k}`, event)}</dt><dd>${dataList(lang, v, k, names, event)}</dd>`)}</dl>${meta}`;
}

/** The criteria of the programme with their assessment, as a table. */
export function criteriaTable(lang: Language, config: ProgrammeConfig, context: CaseContext, names: Map<string, string>): SafeHtml {
  const rows = config.criteria.map((c) => {
    const a = context.criteria[c.id];
    return html`<tr><th scope="row">${c.label[lang]}</th>
<td>${a ? (a.fulfilled ? t(lang, 'web.fulfilledYes') : t(lang, 'web.fulfilledNo')) : html`<em>${t(lang, 'web.notAssessed')}</em>`}</td>
<td>${a ? html`${written(lang, a.justification)}<p class="meta">${t(lang, 'web.recordedBy', { name: names.get(a.by) ?? a.by, role: t(lang, `roles.${a.role}`), at: dateTime(lang, a.at) })}</p>` : ''}</td></tr>`;
  });
  return html`<table class="criteria"><caption>${t(lang, 'web.criteria')}</caption>
<thead><tr><th scope="col">${t(lang, 'web.criterion')}</th><th scope="col">${t(lang, 'web.assessment')}</th><th scope="col">${t(lang, 'fields.justification')}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function historyTable(lang: Language, history: CaseHistory): SafeHtml {
  if (history.events.length === 0) return html`<p>${t(lang, 'web.noHistory')}</p>`;
  const rows = history.events.map(
    (e) => html`<tr><td>${dateTime(lang, e.at)}</td><td>${e.actor.displayName ?? '–'} <span class="meta">(${e.roleLabel})</span></td>
<td>${e.label}${e.stepsAfter.join() !== e.stepsBefore.join() && e.stepsAfter.length ? html` <span class="meta">→ ${e.stepsAfter.map((s) => t(lang, 'app.stepOf', { step: s, total: 12 })).join(', ')}</span>` : ''}</td></tr>`,
  );
  return html`<table><caption class="visually-hidden">${t(lang, 'web.history')}</caption>
<thead><tr><th scope="col">${t(lang, 'web.when')}</th><th scope="col">${t(lang, 'web.who')}</th><th scope="col">${t(lang, 'web.what')}</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

const SECTIONS = [
  'contact',
  'eligibility',
  'ideaTemplate',
  'participants',
  'coordinationGroup',
  'dialogueForum',
  'targetGroupDialogue',
  'checkIns',
  'revisions',
  'recommendation',
  'decision',
  'followUpReports',
  'followUps',
  'seminars',
  'execution',
  'scaleUpPlan',
  'scaleUpRecommendation',
  'scaleUpDecision',
] as const;

/** The event whose form recorded a section of the case's data (for its labels). */
const SECTION_EVENTS: Partial<Record<string, string>> = {
  decision: 'RECORD_DECISION',
  recommendation: 'RECORD_RECOMMENDATION',
  followUpReports: 'SUBMIT_FOLLOW_UP_REPORT',
};

/** Who raised the idea and what it is, and how the case ended if it has. */
function overview(i: CasePageInput): SafeHtml {
  const { lang, view } = i;
  const ctx = view.data as CaseContext;
  return html`<dl><dt>${t(lang, 'web.initiator')}</dt><dd>${view.initiator.displayName ?? '–'}</dd>
<dt>${t(lang, 'fields.title')}</dt><dd>${written(lang, ctx.idea.title)}</dd><dt>${t(lang, 'fields.summary')}</dt><dd>${written(lang, ctx.idea.summary)}</dd>
${ctx.outcome ? html`<dt>${t(lang, 'sections.outcome')}</dt><dd>${view.outcomeLabel}</dd>` : ''}</dl>`;
}

function caseData(i: ActionPageInput): SafeHtml {
  const { lang, view, config, names } = i;
  const ctx = view.data as CaseContext;
  const parts: SafeHtml[] = [];
  for (const key of SECTIONS) {
    let value: unknown = ctx[key];
    if (
      value === undefined ||
      (Array.isArray(value) && value.length === 0) ||
      (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
    )
      continue;
    if (key === 'eligibility') {
      const area = allAreas(config).find((a) => a.id === ctx.eligibility?.priorityAreaId);
      value = { ...ctx.eligibility, priorityAreaId: area ? area.label[lang] : undefined };
    }
    if (key === 'followUps' || key === 'followUpReports') {
      // A report's values are on the proposal's indicators: named as the proposal names them.
      const indicators = new Map((ctx.proposal.indicators ?? []).map((x) => [x.id, x.name]));
      value = (value as { indicatorValues: { indicatorId: string }[] }[]).map((f) => ({
        ...f,
        indicatorValues: f.indicatorValues.map((v) => ({ ...v, indicatorId: indicators.get(v.indicatorId) ?? '–' })),
      }));
    }
    if (key === 'ideaTemplate' && ctx.ideaTemplate) {
      const answers = ctx.ideaTemplate.answers;
      const areas = new Map(allAreas(config).map((a) => [a.id, a.label[lang]]));
      const items = i.template.fields
        .filter((f) => answers[f.id] !== undefined)
        .map((f) => {
          const v = answers[f.id];
          const shown =
            f.options === 'priorityAreas'
              ? (areas.get(String(v)) ?? String(v))
              : Array.isArray(f.options)
                ? (f.options.find((o) => o.value === v)?.label[lang] ?? String(v))
                : String(v);
          return html`<dt>${f.label[lang]}</dt><dd>${shown === String(v) ? written(lang, shown) : html`<span class="text">${shown}</span>`}</dd>`;
        });
      parts.push(html`<section><h3>${t(lang, 'sections.ideaTemplate')}</h3><dl>${items}</dl></section>`);
      continue;
    }
    // A section's labels are the form's that recorded it: a decision's reference is the decision's, not a source.
    parts.push(html`<section><h3>${t(lang, `sections.${key}`)}</h3>${dataList(lang, value, key, names, SECTION_EVENTS[key])}</section>`);
  }
  const proposal = Object.keys(ctx.proposal).length
    ? html`<section><h3>${t(lang, 'web.proposal')}</h3><p><a href="/cases/${view.id}/print">${t(lang, 'web.print')}</a></p>${dataList(lang, ctx.proposal, 'proposal', names, 'UPDATE_PROPOSAL')}</section>`
    : '';
  const criteria = Object.keys(ctx.criteria).length ? html`<section>${criteriaTable(lang, config, ctx, names)}</section>` : '';
  const outcome = ctx.outcome
    ? html`<section><h3>${t(lang, 'sections.outcome')}</h3><p>${view.outcomeLabel}</p>${dataList(lang, { reason: ctx.outcome.reason, by: ctx.outcome.by, role: ctx.outcome.role, at: ctx.outcome.at }, 'outcome', names)}</section>`
    : '';
  return html`${parts}${proposal}${criteria}${outcome}`;
}

/** Where an action's form is: its own page, one thing per page. */
export const actionHref = (caseId: string, type: CaseEventType) =>
  // The proposal is written on its own question pages, as the writer's draft (src/web/proposal-pages.ts).
  type === 'UPDATE_PROPOSAL' ? `/cases/${caseId}/proposal` : `/cases/${caseId}/do/${type}`;

function actionForm(i: ActionPageInput, type: CaseEventType, inputs: ActionInputs, key?: string, fixed: FormValues = {}): SafeHtml {
  const setup = actionSetup(type, inputs);
  const formKey = key ? `${type}-${key}` : type;
  const mine = i.form && i.form.type === type && (i.form.key ?? '') === (key ?? '') ? i.form : undefined;
  const ctx: FormContext = {
    lang: i.lang,
    event: type,
    hints: setup.hints,
    values: mine ? { ...mine.values } : { ...setup.initial, ...fixed },
    errors: mine?.errors ?? new Map(),
    idPrefix: formKey,
    noOptionalMarks: setup.noOptionalMarks,
    rendered: new Set(),
  };
  const fields = emptyPayload(type) ? '' : renderFields(ctx, setup.schema);
  const criterion = key ? i.config.criteria.find((c) => c.id === key) : undefined;
  const button =
    type === 'UPDATE_PROPOSAL'
      ? t(i.lang, 'web.save')
      : criterion
        ? html`${t(i.lang, 'casePage.saveCriterion')}<span class="visually-hidden"> ${t(i.lang, 'casePage.saveCriterionOf', { criterion: criterion.label[i.lang] })}</span>`
        : i.decisive.has(type)
          ? t(i.lang, 'casePage.continue')
          : t(i.lang, `events.${type}`);
  return html`<form method="post" action="/cases/${i.view.id}/events/${type}" novalidate id="form-${formKey}">
<input type="hidden" name="_csrf" value="${i.csrfToken}"><input type="hidden" name="_version" value="${i.view.version}">
${errorSummary(ctx, mine?.messages)}
${fields}
<p><button type="submit">${button}</button></p>
</form>`;
}

function criteriaForms(i: ActionPageInput, inputs: ActionInputs): SafeHtml {
  const ctx = i.view.data as CaseContext;
  const items = i.config.criteria.map((c) => {
    const current = ctx.criteria[c.id];
    const fixed: FormValues = { criterionId: c.id };
    if (current) Object.assign(fixed, { fulfilled: String(current.fulfilled), justification: current.justification });
    const state = current
      ? current.fulfilled
        ? t(i.lang, 'web.fulfilledYes')
        : t(i.lang, 'web.fulfilledNo')
      : t(i.lang, 'web.notAssessed');
    const saved = i.savedCriterion === c.id ? html`<p class="notice" role="status">${t(i.lang, 'casePage.criterionSaved')}</p>` : '';
    return html`<li id="criterion-${c.id}" class="criterion"><h2>${c.label[i.lang]}</h2>${saved}<p class="meta">${t(i.lang, 'web.assessment')}: ${state}</p>
${actionForm(i, 'ASSESS_CRITERION', inputs, c.id, fixed)}</li>`;
  });
  return html`<ol class="criteria-forms">${items}</ol>`;
}

/** What the link to an action says: the proposal is written (or, with a draft, continued) on its own pages. */
function linkLabel(i: Pick<ActionPageInput, 'lang' | 'proposalDraft'>, e: { type: CaseEventType; label: string }) {
  if (e.type !== 'UPDATE_PROPOSAL') return e.label;
  return t(i.lang, i.proposalDraft ? 'proposalPages.continue' : 'proposalPages.write');
}

/** The events a case's reader could be asked about now: those of its current step (not the ones open all along). */
function nextEvents(view: CaseView) {
  return [...view.allowedEvents, ...view.blockedEvents].filter(
    (e) => !e.reasons.some((r) => r.code === 'wrong-step') && !GENERAL_EVENTS.has(e.type),
  );
}

/** The reader's own actions now: the step's own first, then those open all along. */
function ownActions(view: CaseView) {
  const allowed = view.allowedEvents;
  const criteria =
    allowed.some((e) => e.type === 'ASSESS_CRITERION') ||
    view.blockedEvents.some((e) => e.type === 'ASSESS_CRITERION' && e.reasons.every((r) => r.code === 'requirement-unmet'));
  const step = allowed.filter((e) => !GENERAL_EVENTS.has(e.type) && e.type !== 'ASSESS_CRITERION');
  const general = allowed.filter((e) => GENERAL_EVENTS.has(e.type));
  return { step, general, criteria };
}

/** Top of the case page: where it stands, what happens next and who does it, and the reader's own next action. */
function statusPanel(i: CasePageInput): SafeHtml {
  const { lang, view } = i;
  const next = nextEvents(view);
  const byRoles = new Map<string, string[]>();
  for (const e of next) {
    const roles = EVENT_ROLES[e.type].map((r) => t(lang, `roles.${r}`)).join(', ');
    byRoles.set(roles, [...(byRoles.get(roles) ?? []), e.label]);
  }
  // The nearest deadline only; the case's data lists them all.
  const due = view.deadlines.filter((d) => d.status === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  // Short enough for the first screen of a phone: the first two, and the way to the rest.
  const groups = [...byRoles];
  const whatNext =
    view.status === 'done' || next.length === 0
      ? html`<p id="next-step">${t(lang, 'web.nothingNext')}</p>`
      : html`<div id="next-step"><h2 class="inline">${t(lang, 'web.whatNext')}</h2><ul id="next-list">${groups
          .slice(0, 2)
          .map(
            ([roles, actions]) => html`<li>${t(lang, 'web.whoActs', { action: actions.join(t(lang, 'casePage.or')), roles })}</li>`,
          )}${groups.length > 2 ? html`<li><a href="#diagram">${t(lang, 'casePage.moreNext')}</a></li>` : ''}</ul>${due ? html`<p class="meta">${t(lang, 'web.due', { label: due.label, date: dateTime(lang, due.dueAt) })}</p>` : ''}</div>`;
  const own = ownActions(view);
  // Without a step of their own, a check-in is the work of steps 4–9 (withdrawing or adding someone never is the next thing to do).
  const first = own.step[0] ?? own.general.find((e) => e.type === 'RECORD_CHECK_IN');
  const yours = first
    ? html`<p id="your-action"><span class="visually-hidden">${t(lang, 'casePage.yourNext')}: </span><a class="button" href="${actionHref(view.id, first.type)}">${linkLabel(i, first)}</a>${own.step.length > 1 || own.criteria ? html` <a href="#actions">${t(lang, 'casePage.moreActions')}</a>` : ''}</p>`
    : own.criteria
      ? html`<p id="your-action"><a class="button" href="${actionHref(view.id, 'ASSESS_CRITERION')}">${t(lang, 'casePage.assessCriteria')}</a></p>`
      : html`<p id="your-action">${view.status === 'done' ? '' : t(lang, 'casePage.nothingForYou')}</p>`;
  return html`<section class="status-panel" aria-labelledby="status-heading"><h2 id="status-heading" class="visually-hidden">${t(lang, 'casePage.status')}</h2>
${stepTrack(lang, view.steps, view.outcomeLabel)}
${yours}
${whatNext}
</section>`;
}

/** The reader's actions, each a link to its own page, and those not possible yet with what they wait for. */
function actionsSection(i: CasePageInput): SafeHtml {
  const { lang, view } = i;
  const own = ownActions(view);
  const links = [
    ...own.step.map((e) => html`<li><a href="${actionHref(view.id, e.type)}">${linkLabel(i, e)}</a></li>`),
    own.criteria ? html`<li><a href="${actionHref(view.id, 'ASSESS_CRITERION')}">${t(lang, 'casePage.assessCriteria')}</a></li>` : '',
    ...own.general.map((e) => html`<li><a href="${actionHref(view.id, e.type)}">${e.label}</a></li>`),
  ];
  const notYet = view.blockedEvents.filter(
    (e) => e.type !== 'ASSESS_CRITERION' && e.reasons.length > 0 && e.reasons.every((r) => r.code === 'requirement-unmet'),
  );
  const any = own.step.length + own.general.length > 0 || own.criteria;
  return html`<section aria-labelledby="actions"><h2 id="actions">${t(lang, 'web.yourActions')}</h2>
${any ? html`<ul class="action-links">${links}</ul>` : html`<p>${t(lang, 'web.noActions')}</p>`}
${notYet.length ? html`<h3>${t(lang, 'web.notYet')}</h3><ul class="not-yet">${notYet.map((e) => html`<li><strong>${e.label}</strong>: ${t(lang, 'web.requirementsUnmet')}<ul>${e.reasons.map((r) => html`<li>${r.message}</li>`)}</ul></li>`)}</ul>` : ''}
</section>`;
}

function noticeOf(i: Pick<ActionPageInput, 'notice'>): SafeHtml | '' {
  if (!i.notice) return '';
  const success = i.notice.kind === 'success';
  // A conflict or a refusal takes the focus, so the person hears at once what happened.
  return html`<div class="${success ? 'notice' : 'alert'}" role="${success ? 'status' : 'alert'}" id="notice"${success ? '' : raw(' tabindex="-1" autofocus')}>${i.notice.text}${i.notice.items?.length ? html`<ul>${i.notice.items.map((x) => html`<li>${x}</li>`)}</ul>` : ''}</div>`;
}

export function casePage(i: CasePageInput): { title: string; body: SafeHtml } {
  const { lang, view, config } = i;
  const context = view.data as CaseContext;
  const area = allAreas(config).find((a) => a.id === view.priorityAreaId);
  const sections: [string, string][] = [
    ['actions', t(lang, 'web.yourActions')],
    ['overview', t(lang, 'casePage.overview')],
    ['data', t(lang, 'web.caseData')],
    ...(i.documents ? ([['documents', t(lang, 'documents.heading')]] as [string, string][]) : []),
    ...(i.conversation ? ([['conversation', t(lang, 'conversation.title')]] as [string, string][]) : []),
    ...(i.plan ? ([['plan', t(lang, 'plan.links.section')]] as [string, string][]) : []),
    ['history', t(lang, 'web.history')],
    ['diagram', t(lang, 'web.diagram')],
  ];
  const body = html`<h1>${written(lang, view.title)}</h1>
<p class="meta">${t(lang, 'web.diaryNumber')} ${view.diaryNumber} · ${config.name[lang]}${area ? html` · ${config.taxonomy[lang]}: ${area.label[lang]}` : ''}</p>
${noticeOf(i)}
${statusPanel(i)}
<nav class="case-sections" aria-label="${t(lang, 'casePage.sections')}"><ul>${sections.map(([id, label]) => html`<li><a href="#${id}">${label}</a></li>`)}</ul></nav>
${actionsSection(i)}
<section aria-labelledby="overview"><h2 id="overview">${t(lang, 'casePage.overview')}</h2>${overview(i)}
${context.decision?.decision === 'approve' && belongsTo(i.actor, view.programmeId) ? html`<p><a href="/cases/${view.id}/money">${t(lang, 'money.case.link')}</a></p>` : ''}</section>
<section aria-labelledby="data"><h2 id="data">${t(lang, 'web.caseData')}</h2>${caseData(i)}</section>
${i.documents ? documentsSection(lang, i.documents) : ''}
${i.conversation ? conversationSection(lang, view.id, i.csrfToken, i.conversation) : ''}
${i.plan ? planSection(lang, view.id, i.plan) : ''}
<section aria-labelledby="history"><h2 id="history">${t(lang, 'web.history')}</h2>${historyTable(lang, i.history)}</section>
<section aria-labelledby="diagram"><h2 id="diagram">${t(lang, 'web.diagram')}</h2>${processDiagram(lang, view.machineVersion, view.state)}</section>`;
  return { title: `${view.diaryNumber} ${view.title}`, body };
}

/** The page of one action: what it is about, its form (or, for the criteria, one form per criterion). */
export function actionPage(i: ActionPageInput, type: CaseEventType, blocked?: string[]): { title: string; body: SafeHtml } {
  const { lang, view, config } = i;
  const context = view.data as CaseContext;
  const inputs: ActionInputs = { lang, config, template: i.template, context, candidates: i.candidates };
  const label = type === 'ASSESS_CRITERION' ? t(lang, 'casePage.assessCriteria') : t(lang, `events.${type}`);
  const proposalValues = () => {
    if (type !== 'UPDATE_PROPOSAL') return {};
    const setup = actionSetup(type, inputs);
    return formValues(setup.schema, context.proposal, setup.hints);
  };
  // What the act is about, where there is something to judge: the proposal before criteria, LSVO and the director.
  const judged =
    type === 'ASSESS_CRITERION' || type === 'RECORD_RECOMMENDATION' || type === 'RECORD_DECISION' || type === 'SUBMIT_TO_LSVO'
      ? html`<p><a href="/cases/${view.id}/print">${t(lang, 'casePage.readProposal')}</a></p>`
      : '';
  const form = blocked
    ? html`<p>${t(lang, blocked.length ? 'web.requirementsUnmet' : 'web.notAccepted')}</p>${blocked.length ? html`<ul>${blocked.map((r) => html`<li>${r}</li>`)}</ul>` : ''}<p><a href="/cases/${view.id}">${t(lang, 'casePage.back')}</a></p>`
    : type === 'ASSESS_CRITERION'
      ? criteriaForms(i, inputs)
      : actionForm(i, type, inputs, undefined, proposalValues());
  const body = html`${backLink(`/cases/${view.id}`, t(lang, 'casePage.back'))}
${noticeOf(i)}
<span class="caption">${written(lang, view.title)} · ${view.diaryNumber}</span>
<h1>${label}</h1>
<p class="step-text">${view.stepText}</p>
${i.changedSince ? changedSince(i, i.changedSince) : ''}
${i.decisive.has(type) && !blocked ? html`<p>${t(lang, 'casePage.checkFirst')}</p>` : ''}
${judged}
${form}`;
  return { title: `${label} – ${view.diaryNumber}`, body };
}

/** What happened since a form was opened (a conflict), and the case's data as it is now. */
function changedSince(i: ActionPageInput, events: CaseHistory['events']): SafeHtml {
  const { lang } = i;
  return html`<h2>${t(lang, 'casePage.changedSince')}</h2>
<ul>${events.map((e) => html`<li>${dateTime(lang, e.at)}: ${e.label} <span class="meta">(${e.actor.displayName ?? '–'}, ${e.roleLabel})</span></li>`)}</ul>
<details open><summary>${t(lang, 'web.caseData')}</summary>${caseData(i)}</details>`;
}

/**
 * Check your answers before an act that moves the case on for good: what will be recorded, a
 * way back to change it (the values go back to the form), and the button that does it.
 */
export function checkPage(
  i: ActionPageInput,
  type: CaseEventType,
  payload: unknown,
  values: FormValues,
): { title: string; body: SafeHtml } {
  const { lang, view } = i;
  const label = t(lang, `events.${type}`);
  const hidden = Object.entries(values).flatMap(([name, value]) =>
    ([] as string[]).concat(value ?? []).map((v) => html`<input type="hidden" name="${name}" value="${v}">`),
  );
  const recorded = payload && typeof payload === 'object' && Object.keys(payload).length > 0;
  // No back link: it would drop what was written; "Ändra svaren" goes back with it, "Avbryt" without.
  const body = html`<span class="caption">${written(lang, view.title)} · ${view.diaryNumber}</span>
<h1 id="check-answers">${t(lang, 'casePage.checkTitle')}</h1>
<p>${t(lang, 'casePage.checkIntro', { action: label })}</p>
${recorded ? html`<div class="check">${dataList(lang, readable(i, payload as Record<string, unknown>), SECTION_KEYS[type] ?? '', i.names, type)}</div>` : ''}
<form method="post" action="/cases/${view.id}/do/${type}" class="change">
<input type="hidden" name="_csrf" value="${i.csrfToken}">${hidden}
<p><button type="submit" class="link">${t(lang, 'casePage.change')}</button></p>
</form>
<h2>${t(lang, 'casePage.sendHeading')}</h2>
<p>${t(lang, 'casePage.cannotUndo')}</p>
<form method="post" action="/cases/${view.id}/events/${type}" id="confirm-${type}">
<input type="hidden" name="_csrf" value="${i.csrfToken}"><input type="hidden" name="_version" value="${view.version}"><input type="hidden" name="_confirmed" value="yes">
${hidden}
<div class="button-group"><button type="submit"${type === 'WITHDRAW' || type === 'ASSESS_NOT_ELIGIBLE' ? raw(' class="warning"') : ''}>${t(lang, 'casePage.confirm')}</button><a href="/cases/${view.id}">${t(lang, 'casePage.cancel')}</a></div>
</form>`;
  return { title: `${t(lang, 'casePage.checkTitle')} – ${view.diaryNumber}`, body };
}

/** A payload as a person reads it: the area, criterion and indicators by their names, not their ids. */
function readable(i: ActionPageInput, payload: Record<string, unknown>): Record<string, unknown> {
  const { lang, config } = i;
  const out: Record<string, unknown> = { ...payload };
  if (typeof payload.priorityAreaId === 'string')
    out.priorityAreaId = allAreas(config).find((a) => a.id === payload.priorityAreaId)?.label[lang] ?? '–';
  if (typeof payload.criterionId === 'string')
    out.criterionId = config.criteria.find((c) => c.id === payload.criterionId)?.label[lang] ?? '–';
  if (Array.isArray(payload.indicatorValues)) {
    const indicators = new Map(((i.view.data as CaseContext).proposal.indicators ?? []).map((x) => [x.id, x.name]));
    out.indicatorValues = (payload.indicatorValues as { indicatorId: string }[]).map((v) => ({
      ...v,
      indicatorId: indicators.get(v.indicatorId) ?? '–',
    }));
  }
  return out;
}

/** The case data's key an event's payload is shown under, for its labels (the decision's reference is the decision's). */
const SECTION_KEYS: Partial<Record<CaseEventType, string>> = { RECORD_DECISION: 'decision', RECORD_RECOMMENDATION: 'recommendation' };

function planSection(lang: Language, caseId: string, plan: NonNullable<CasePageInput['plan']>): SafeHtml {
  const linked = [...plan.goals, ...plan.rows];
  return html`<section aria-labelledby="plan"><h2 id="plan">${t(lang, 'plan.links.section')}</h2>
${linked.length ? html`<p>${t(lang, 'plan.links.serves')}</p><ul>${linked.map((x) => html`<li class="text">${x}</li>`)}</ul>` : html`<p>${t(lang, 'plan.links.servesNone')}</p>`}
<p><a href="/cases/${caseId}/plan">${t(lang, plan.change ? 'plan.links.choose' : 'plan.links.read')}</a></p></section>`;
}

/** The proposal and the criteria assessment on one page, for LSVO and the director to print. */
export function printPage(i: Pick<CasePageInput, 'lang' | 'view' | 'config' | 'names'>): { title: string; body: SafeHtml } {
  const { lang, view, config, names } = i;
  const ctx = view.data as CaseContext;
  const area = allAreas(config).find((a) => a.id === view.priorityAreaId);
  const body = html`<h1>${t(lang, 'web.printTitle')}: ${view.title}</h1>
<p class="meta">${t(lang, 'web.diaryNumber')} ${view.diaryNumber} · ${config.name[lang]}${area ? html` · ${config.taxonomy[lang]}: ${area.label[lang]}` : ''} · ${t(lang, 'web.initiator')}: ${view.initiator.displayName ?? '–'}</p>
<p class="meta">${view.stepText}</p>
<p class="no-print"><a href="/cases/${view.id}">${t(lang, 'web.viewCase')}</a> · ${t(lang, 'web.printButtonHint')}</p>
<section aria-labelledby="p"><h2 id="p">${t(lang, 'web.proposal')}</h2>
${Object.keys(ctx.proposal).length ? dataList(lang, ctx.proposal, 'proposal', names, 'UPDATE_PROPOSAL') : html`<p>${t(lang, 'web.noProposal')}</p>`}</section>
<section aria-labelledby="c"><h2 id="c">${t(lang, 'web.criteria')}</h2>${criteriaTable(lang, config, ctx, names)}</section>
${ctx.recommendation ? html`<section><h2>${t(lang, 'sections.recommendation')}</h2>${dataList(lang, ctx.recommendation, 'recommendation', names)}</section>` : ''}
${ctx.decision ? html`<section><h2>${t(lang, 'sections.decision')}</h2>${dataList(lang, ctx.decision, 'decision', names, 'RECORD_DECISION')}</section>` : ''}`;
  return { title: `${t(lang, 'web.printTitle')} ${view.diaryNumber}`, body };
}

/** Everyone a case mentions, for display names. */
export function mentionedUsers(view: CaseView): string[] {
  const ids = new Set<string>([view.initiator.id]);
  const walk = (v: unknown, key = '') => {
    if (typeof v === 'string' && (key === 'by' || key === 'userId')) ids.add(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(view.data);
  return [...ids];
}
