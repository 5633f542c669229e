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

export interface CasePageInput {
  lang: Language;
  actor: Actor;
  csrfToken: string;
  view: CaseView;
  history: CaseHistory;
  config: ProgrammeConfig;
  template: IdeaTemplate;
  /** Display names of everyone the case mentions. */
  names: Map<string, string>;
  candidates: ActionInputs['candidates'];
  notice?: { kind: 'success' | 'conflict' | 'error'; text: string; items?: string[] };
  form?: FormState;
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
  const entries = Object.entries(record).filter(([k, v]) => !(recorded && META_KEYS.has(k)) && v !== undefined);
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

function historyTable(lang: Language, history: CaseHistory): SafeHtml {
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

function caseData(i: CasePageInput): SafeHtml {
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
  return html`<section><h3>${t(lang, 'sections.idea')}</h3><dl><dt>${t(lang, 'web.initiator')}</dt><dd>${view.initiator.displayName ?? '–'}</dd>
<dt>${t(lang, 'fields.title')}</dt><dd>${written(lang, ctx.idea.title)}</dd><dt>${t(lang, 'fields.summary')}</dt><dd>${written(lang, ctx.idea.summary)}</dd></dl></section>
${parts}${proposal}${criteria}${outcome}`;
}

function actionForm(i: CasePageInput, type: CaseEventType, inputs: ActionInputs, key?: string, fixed: FormValues = {}): SafeHtml {
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
  return html`<form method="post" action="/cases/${i.view.id}/events/${type}" novalidate id="form-${formKey}">
<input type="hidden" name="_csrf" value="${i.csrfToken}"><input type="hidden" name="_version" value="${i.view.version}">
${errorSummary(ctx, mine?.messages)}
${fields}
<p><button type="submit">${type === 'UPDATE_PROPOSAL' ? t(i.lang, 'web.save') : t(i.lang, `events.${type}`)}</button></p>
</form>`;
}

function criteriaForms(i: CasePageInput, inputs: ActionInputs): SafeHtml {
  const ctx = i.view.data as CaseContext;
  const items = i.config.criteria.map((c) => {
    const current = ctx.criteria[c.id];
    const fixed: FormValues = { criterionId: c.id };
    if (current) Object.assign(fixed, { fulfilled: String(current.fulfilled), justification: current.justification });
    const open = i.form?.type === 'ASSESS_CRITERION' && i.form.key === c.id;
    return html`<li><details${open || !current ? raw(' open') : ''}><summary>${c.label[i.lang]}: ${current ? (current.fulfilled ? t(i.lang, 'web.fulfilledYes') : t(i.lang, 'web.fulfilledNo')) : t(i.lang, 'web.notAssessed')}</summary>
${actionForm(i, 'ASSESS_CRITERION', inputs, c.id, fixed)}</details></li>`;
  });
  return html`<ol class="criteria-forms">${items}</ol>`;
}

export function casePage(i: CasePageInput): { title: string; body: SafeHtml } {
  const { lang, view, config } = i;
  const context = view.data as CaseContext;
  const inputs: ActionInputs = { lang, config, template: i.template, context, candidates: i.candidates };
  const area = allAreas(config).find((a) => a.id === view.priorityAreaId);

  const accepted = [...view.allowedEvents, ...view.blockedEvents].filter((e) => !e.reasons.some((r) => r.code === 'wrong-step'));
  const next = accepted.filter((e) => !GENERAL_EVENTS.has(e.type));
  const whatNext =
    view.status === 'done' || next.length === 0
      ? html`<p>${t(lang, 'web.nothingNext')}</p>`
      : html`<ul>${next.map((e) => html`<li>${t(lang, 'web.whoActs', { action: e.label, roles: EVENT_ROLES[e.type].map((r) => t(lang, `roles.${r}`)).join(', ') })}</li>`)}</ul>`;

  const allowed = view.allowedEvents.filter((e) => e.type !== 'ASSESS_CRITERION');
  // Large or occasional forms are folded away until opened (or sent back with errors).
  const folded = (type: CaseEventType) => GENERAL_EVENTS.has(type) || type === 'UPDATE_PROPOSAL';
  const primary = allowed.filter((e) => !folded(e.type));
  const general = allowed.filter((e) => folded(e.type));
  const proposalValues = (type: CaseEventType) => {
    if (type !== 'UPDATE_PROPOSAL') return {};
    const setup = actionSetup(type, inputs);
    return formValues(setup.schema, context.proposal, setup.hints);
  };
  const criteriaAllowed =
    view.allowedEvents.some((e) => e.type === 'ASSESS_CRITERION') ||
    view.blockedEvents.some((e) => e.type === 'ASSESS_CRITERION' && e.reasons.every((r) => r.code === 'requirement-unmet'));
  const actions = html`
${primary.map((e) => html`<section class="action" aria-labelledby="action-${e.type}"><h3 id="action-${e.type}">${e.label}</h3>${actionForm(i, e.type, inputs, undefined, proposalValues(e.type))}</section>`)}
${criteriaAllowed ? html`<section class="action" aria-labelledby="action-criteria"><h3 id="action-criteria">${t(lang, 'web.criteria')}</h3>${criteriaForms(i, inputs)}</section>` : ''}
${general.map((e) => html`<details class="action"${i.form?.type === e.type ? raw(' open') : ''}><summary>${e.label}</summary>${actionForm(i, e.type, inputs, undefined, proposalValues(e.type))}</details>`)}`;

  const notYet = view.blockedEvents.filter(
    (e) => e.type !== 'ASSESS_CRITERION' && e.reasons.length > 0 && e.reasons.every((r) => r.code === 'requirement-unmet'),
  );

  const notice = i.notice
    ? html`<div class="${i.notice.kind === 'success' ? 'notice' : 'alert'}" role="${i.notice.kind === 'success' ? 'status' : 'alert'}" id="notice">${i.notice.text}${i.notice.items?.length ? html`<ul>${i.notice.items.map((x) => html`<li>${x}</li>`)}</ul>` : ''}</div>`
    : '';
  const pending = view.deadlines.filter((d) => d.status === 'pending');

  const body = html`<h1>${written(lang, view.title)}</h1>
<p class="meta">${t(lang, 'web.diaryNumber')} ${view.diaryNumber} · ${config.name[lang]}${area ? html` · ${config.taxonomy[lang]}: ${area.label[lang]}` : ''}</p>
${stepTrack(lang, view.steps, view.outcomeLabel)}
${notice}
<section aria-labelledby="next"><h2 id="next">${t(lang, 'web.whatNext')}</h2>${whatNext}
${pending.length ? html`<h3>${t(lang, 'web.deadlines')}</h3><ul>${pending.map((d) => html`<li>${t(lang, 'web.due', { label: d.label, date: dateTime(lang, d.dueAt) })}</li>`)}</ul>` : ''}</section>
<section aria-labelledby="actions"><h2 id="actions">${t(lang, 'web.yourActions')}</h2>
${allowed.length || criteriaAllowed ? actions : html`<p>${t(lang, 'web.noActions')}</p>`}
${notYet.length ? html`<h3>${t(lang, 'web.notYet')}</h3><ul class="not-yet">${notYet.map((e) => html`<li><strong>${e.label}</strong>: ${t(lang, 'web.requirementsUnmet')}<ul>${e.reasons.map((r) => html`<li>${r.message}</li>`)}</ul></li>`)}</ul>` : ''}
</section>
<section aria-labelledby="data"><h2 id="data">${t(lang, 'web.caseData')}</h2>${caseData(i)}
${context.decision?.decision === 'approve' && belongsTo(i.actor, view.programmeId) ? html`<p><a href="/cases/${view.id}/money">${t(lang, 'money.case.link')}</a></p>` : ''}</section>
${i.documents ? documentsSection(lang, i.documents) : ''}
${i.plan ? planSection(lang, view.id, i.plan) : ''}
${i.conversation ? conversationSection(lang, view.id, i.csrfToken, i.conversation) : ''}
<section aria-labelledby="history"><h2 id="history">${t(lang, 'web.history')}</h2>${historyTable(lang, i.history)}</section>
<section aria-labelledby="diagram"><h2 id="diagram">${t(lang, 'web.diagram')}</h2>${processDiagram(lang, view.machineVersion, view.state)}</section>`;
  return { title: `${view.diaryNumber} ${view.title}`, body };
}

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
