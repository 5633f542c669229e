import type { z } from 'zod';
import type { CaseContext } from '../../machines/case/context.js';
import { proposalFields } from '../../machines/case/schemas.js';
import { changedFields, type Draft } from '../cases/drafts.js';
import type { CaseView } from '../cases/service.js';
import { t, type Language } from '../i18n/index.js';
import { formatOre } from '../money/format.js';
import type { IdeaTemplate } from '../programmes/config.js';
import type { ActionSetup } from './actions.js';
import {
  errorSummary,
  fieldLabel,
  formValues,
  genericPath,
  optionLabel,
  parseForm,
  renderFields,
  type FieldHints,
  type FormContext,
  type FormErrors,
  type FormValues,
} from './forms.js';
import { html, written, type SafeHtml } from './html.js';

/*
 * The proposal as short question pages (GOV.UK's "question pages", "task list" and "check
 * answers" patterns): an overview of its parts with each one's status, one page per part, and
 * a page to check every answer before the proposal is saved on the case. What the writer saves
 * on the way is their own draft (src/cases/drafts.ts), kept as the form's flat values.
 */

export type ProposalField = keyof z.infer<typeof proposalFields>;

/** The proposal's parts, in the order a writer goes through them. */
export const PROPOSAL_PARTS: { id: string; fields: ProposalField[] }[] = [
  { id: 'purpose', fields: ['background', 'purpose', 'goals', 'longTermGoal', 'shortTermGoals'] },
  { id: 'target-group', fields: ['targetGroup', 'userParticipation'] },
  { id: 'participants', fields: ['participants', 'scope'] },
  { id: 'activities', fields: ['activities', 'logic'] },
  { id: 'indicators', fields: ['indicators', 'followUpPlan'] },
  { id: 'evaluation', fields: ['evaluationPlan', 'implementationPlan'] },
  { id: 'budget', fields: ['budget', 'economicEffects'] },
];

export type ProposalPart = (typeof PROPOSAL_PARTS)[number];

export const partById = (id: string) => PROPOSAL_PARTS.find((p) => p.id === id);
export const partOfField = (field: string) => PROPOSAL_PARTS.find((p) => p.fields.includes(field as ProposalField));

const schemas = new Map<string, z.ZodType>();
/** The part's own questions: the proposal's schema narrowed to the part's fields. */
export function partSchema(part: ProposalPart): z.ZodType {
  let schema = schemas.get(part.id);
  if (!schema) {
    schema = proposalFields.pick(Object.fromEntries(part.fields.map((f) => [f, true])) as Record<ProposalField, true>);
    schemas.set(part.id, schema);
  }
  return schema;
}

/** Marks the writer's earlier answers kept beside the newer proposal after a draft went stale. */
export const EARLIER = '_earlier.';

const fieldOfKey = (key: string) => key.split('.')[0] ?? '';
const inFields = (key: string, fields: readonly string[]) => fields.includes(fieldOfKey(key));

/** The values of some fields (form keys `field` and `field.…`). */
export function valuesOf(values: FormValues, fields: readonly string[]): FormValues {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith(EARLIER) && inFields(k, fields)));
}

/** The writer's earlier answers of some fields, as form values without the mark. */
export function earlierOf(values: FormValues, fields: readonly string[]): FormValues {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([k]) => k.startsWith(EARLIER) && inFields(k.slice(EARLIER.length), fields))
      .map(([k, v]) => [k.slice(EARLIER.length), v]),
  );
}

/** The draft's values with a part's fields replaced by what was posted for it (and its earlier answers dropped). */
export function withPart(values: FormValues, part: ProposalPart, posted: FormValues): FormValues {
  const kept = Object.entries(values).filter(
    ([k, v]) => v !== undefined && !inFields(k.startsWith(EARLIER) ? k.slice(EARLIER.length) : k, part.fields),
  );
  return { ...Object.fromEntries(kept), ...valuesOf(posted, part.fields) };
}

/** The whole proposal a draft's values make (as the event's payload). */
export function payloadOf(setup: ActionSetup, values: FormValues): Record<string, unknown> {
  return parseForm(setup.schema, values, setup.hints).payload as Record<string, unknown>;
}

const blank = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && Object.keys(v).length === 0);

/** Idea-template answers that clearly answer a proposal's question (by the field's id). */
const FROM_IDEA: Partial<Record<ProposalField, string[]>> = {
  background: ['problem', 'need'],
  targetGroup: ['targetGroup'],
  userParticipation: ['userParticipation', 'citizens'],
  longTermGoal: ['longTermGoal'],
  shortTermGoals: ['shortTermGoal'],
  followUpPlan: ['followUp'],
  participants: ['partners', 'actors'],
};

/**
 * What a new draft starts with: the case's proposal as it is, and where a question is still
 * unanswered, what the idea already said (the idea template's matching answers; the idea's
 * summary as its background).
 */
export function prefill(setup: ActionSetup, context: CaseContext, template: IdeaTemplate): FormValues {
  const proposal: Record<string, unknown> = { ...context.proposal };
  const answers = (context.ideaTemplate?.answers ?? {}) as Record<string, unknown>;
  const known = new Set(template.fields.map((f) => f.id));
  const answer = (ids: string[]) =>
    ids
      .filter((id) => known.has(id))
      .map((id) => answers[id])
      .find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const lines = (text: string) =>
    text
      .split(/\r?\n|;/)
      .map((s) => s.trim())
      .filter(Boolean)
      .slice(0, 50);
  for (const [field, ids] of Object.entries(FROM_IDEA) as [ProposalField, string[]][]) {
    if (!blank(proposal[field])) continue;
    const text = answer(ids);
    if (!text) continue;
    if (field === 'shortTermGoals') proposal[field] = lines(text).map((s) => s.slice(0, 300));
    else if (field === 'participants')
      continue; // a row needs a kind: filled in below as names only
    else proposal[field] = text.slice(0, 20_000);
  }
  if (blank(proposal.background) && context.idea?.summary) proposal.background = context.idea.summary;
  return formValues(setup.schema, proposal, setup.hints);
}

/**
 * The partners the idea named, as rows of participants with the name filled in, for the
 * participants' page while the proposal names none. Not kept in a draft until the writer saves
 * that page: a row needs a kind of organisation, which only the writer can choose.
 */
export function partnerRows(context: CaseContext, template: IdeaTemplate): FormValues {
  if (!blank(context.proposal.participants)) return {};
  const answers = (context.ideaTemplate?.answers ?? {}) as Record<string, unknown>;
  const known = new Set(template.fields.map((f) => f.id));
  const text = FROM_IDEA.participants!.filter((id) => known.has(id))
    .map((id) => answers[id])
    .find((v): v is string => typeof v === 'string' && v.trim() !== '');
  const values: FormValues = {};
  (text ?? '')
    .split(/\r?\n|[;,]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 20)
    .forEach((name, i) => (values[`participants.${i}.name`] = name.slice(0, 300)));
  return values;
}

export type PartStatus = 'notStarted' | 'inDraft' | 'saved' | 'checkAgain';

export function partStatus(part: ProposalPart, proposal: Record<string, unknown>, draft: Draft | undefined): PartStatus {
  if (draft && Object.keys(earlierOf(draft.values, part.fields)).length > 0) return 'checkAgain';
  if (draft?.parts.includes(part.id)) return 'inDraft';
  if (part.fields.some((f) => !blank(proposal[f]))) return 'saved';
  return 'notStarted';
}

/**
 * Starts a stale draft again from the newer proposal: the writer's answers stay where nobody
 * else changed the question; where someone did, the newer answer is filled in, and the writer's
 * own (when it differs) is kept beside it to be seen on the part's page.
 */
export function rebase(setup: ActionSetup, draft: Draft, held: Record<string, unknown>): { values: FormValues; parts: string[] } {
  const mine = payloadOf(setup, draft.values);
  const changedByOthers = new Set(changedFields(draft.base, held));
  const heldValues = formValues(setup.schema, held, setup.hints);
  const values: FormValues = {};
  const recheck = new Set<string>();
  for (const part of PROPOSAL_PARTS) {
    for (const field of part.fields) {
      if (!changedByOthers.has(field)) {
        Object.assign(values, valuesOf(draft.values, [field]));
        continue;
      }
      Object.assign(values, valuesOf(heldValues, [field]));
      if (changedFields({ [field]: mine[field] }, { [field]: held[field] }).length > 0) {
        for (const [k, v] of Object.entries(valuesOf(draft.values, [field]))) values[`${EARLIER}${k}`] = v;
        recheck.add(part.id);
      }
    }
  }
  return { values, parts: draft.parts.filter((p) => !recheck.has(p)) };
}

// ---------------------------------------------------------------------------------------
// Showing answers

function shown(lang: Language, path: string, value: unknown, hints: Record<string, FieldHints>): SafeHtml | string {
  if (blank(value)) return t(lang, 'proposalPages.notAnswered');
  const hint = hints[genericPath(path)];
  const name = genericPath(path).split('.').pop() ?? '';
  if (typeof value === 'number') return hint?.money ? formatOre(value, lang) : String(value);
  if (typeof value === 'boolean') return t(lang, `options.boolean.${value}`);
  if (typeof value === 'string') {
    const option = hint?.options?.find((o) => o.value === value)?.label;
    const label = option ?? optionLabel(lang, name, value);
    return label !== value ? label : written(lang, value);
  }
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object'))
      return html`<ul class="plain">${value.map((v) => html`<li>${shown(lang, path, v, hints)}</li>`)}</ul>`;
    return html`<ol>${value.map((row, i) => html`<li>${shown(lang, `${path}.${i}`, row, hints)}</li>`)}</ol>`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => !blank(v));
    return html`<dl>${entries.map(([k, v]) => html`<dt>${fieldLabel(lang, `${path}.${k}`, 'UPDATE_PROPOSAL')}</dt><dd>${shown(lang, `${path}.${k}`, v, hints)}</dd>`)}</dl>`;
  }
  return String(value);
}

/** The answers of some fields as a summary list (label, answer, and optionally a change link). */
function summaryList(
  lang: Language,
  fields: readonly string[],
  payload: Record<string, unknown>,
  hints: Record<string, FieldHints>,
  change?: { href: string; part: string },
): SafeHtml {
  return html`<dl class="summary-list">${fields.map(
    (f) =>
      html`<div class="summary-row"><dt>${fieldLabel(lang, f, 'UPDATE_PROPOSAL')}</dt><dd>${shown(lang, f, payload[f], hints)}</dd>${
        change
          ? html`<dd class="summary-action"><a href="${change.href}">${t(lang, 'proposalPages.change')}<span class="visually-hidden"> ${fieldLabel(lang, f, 'UPDATE_PROPOSAL').toLowerCase()}</span></a></dd>`
          : ''
      }</div>`,
  )}</dl>`;
}

// ---------------------------------------------------------------------------------------
// The pages

export interface ProposalPageBase {
  lang: Language;
  csrfToken: string;
  view: Pick<CaseView, 'id' | 'title' | 'diaryNumber'>;
  setup: ActionSetup;
}

const partTitle = (lang: Language, part: ProposalPart) => t(lang, `proposalPages.parts.${part.id}.title`);
const caseLine = (i: ProposalPageBase) =>
  html`<p class="meta">${t(i.lang, 'web.diaryNumber')} ${i.view.diaryNumber} · ${written(i.lang, i.view.title)}</p>`;

export function overviewPage(i: ProposalPageBase & { proposal: Record<string, unknown>; draft?: Draft; notice?: string }): {
  title: string;
  body: SafeHtml;
} {
  const { lang } = i;
  const title = t(lang, 'proposalPages.overview.title');
  const items = PROPOSAL_PARTS.map((part) => {
    const status = partStatus(part, i.proposal, i.draft);
    const statusId = `status-${part.id}`;
    return html`<li class="task"><a href="/cases/${i.view.id}/proposal/${part.id}" aria-describedby="${statusId}">${partTitle(lang, part)}</a>
<span class="tag${status === 'notStarted' ? ' grey' : status === 'checkAgain' ? ' warn' : ''}" id="${statusId}">${t(lang, `proposalPages.status.${status}`)}</span></li>`;
  });
  const body = html`<p><a class="back-link" href="/cases/${i.view.id}">${t(lang, 'proposalPages.backToCase')}</a></p>
${i.notice ? html`<div class="notice" role="status">${i.notice}</div>` : ''}
<h1>${title}</h1>
${caseLine(i)}
<p>${t(lang, 'proposalPages.overview.intro')}</p>
<p>${t(lang, i.draft ? 'proposalPages.overview.draftKept' : 'proposalPages.overview.noDraft')}</p>
<ol class="task-list">${items}</ol>
<p><a class="button" href="/cases/${i.view.id}/proposal/check">${t(lang, 'proposalPages.overview.toCheck')}</a></p>
${
  i.draft
    ? html`<form method="post" action="/cases/${i.view.id}/proposal/discard"><input type="hidden" name="_csrf" value="${i.csrfToken}">
<p>${t(lang, 'proposalPages.overview.discardHint')}</p><p><button type="submit" class="secondary">${t(lang, 'proposalPages.overview.discard')}</button></p></form>`
    : ''
}`;
  return { title, body };
}

export function partPage(i: ProposalPageBase & { part: ProposalPart; values: FormValues; errors: FormErrors; earlier: FormValues }): {
  title: string;
  body: SafeHtml;
} {
  const { lang, part } = i;
  const index = PROPOSAL_PARTS.indexOf(part);
  const previous = PROPOSAL_PARTS[index - 1];
  const schema = partSchema(part);
  const ctx: FormContext = {
    lang,
    event: 'UPDATE_PROPOSAL',
    hints: i.setup.hints,
    values: { ...i.values },
    errors: i.errors,
    idPrefix: `part-${part.id}`,
    noOptionalMarks: true,
    rendered: new Set(),
  };
  const fields = renderFields(ctx, schema);
  const earlier = Object.keys(i.earlier).length
    ? (() => {
        const payload = parseForm(schema, i.earlier, i.setup.hints).payload as Record<string, unknown>;
        const differing = part.fields.filter((f) => !blank(payload[f]) || i.earlier[f] !== undefined);
        return html`<div class="inset"><h2>${t(lang, 'proposalPages.part.earlierTitle')}</h2><p>${t(lang, 'proposalPages.part.earlierText')}</p>
${summaryList(lang, differing, payload, i.setup.hints)}</div>`;
      })()
    : '';
  const title = partTitle(lang, part);
  const back = previous ? `/cases/${i.view.id}/proposal/${previous.id}` : `/cases/${i.view.id}/proposal`;
  const body = html`<p><a class="back-link" href="${back}">${t(lang, 'proposalPages.back')}</a></p>
${errorSummary(ctx)}
<p class="meta">${t(lang, 'proposalPages.part.counter', { n: index + 1, count: PROPOSAL_PARTS.length })}</p>
<h1>${title}</h1>
${caseLine(i)}
<p>${t(lang, `proposalPages.parts.${part.id}.intro`)}</p>
${earlier}
<form method="post" action="/cases/${i.view.id}/proposal/${part.id}" novalidate id="form-part-${part.id}">
<input type="hidden" name="_csrf" value="${i.csrfToken}">
${fields}
<p><button type="submit">${t(lang, 'proposalPages.saveAndContinue')}</button></p>
</form>
<p><a href="/cases/${i.view.id}/proposal">${t(lang, 'proposalPages.toOverview')}</a></p>`;
  // Errors are summarised above the form: their fields were rendered first.
  return { title: i.errors.size ? `${t(lang, 'web.errorPrefix')} ${title}` : title, body };
}

export interface CheckProblem {
  part: ProposalPart;
  text: string;
}

export function checkPage(
  i: ProposalPageBase & {
    payload: Record<string, unknown>;
    problems: CheckProblem[];
    /** When the proposal changed since the draft started: the newer proposal and the changed fields. */
    stale?: { held: Record<string, unknown>; changed: string[] };
    notice?: string;
  },
): { title: string; body: SafeHtml } {
  const { lang } = i;
  const title = t(lang, 'proposalPages.check.title');
  const caseId = i.view.id;
  const problems = i.problems.length
    ? html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="check-errors"><p>${t(lang, 'proposalPages.check.problems', { count: i.problems.length })}</p>
<ul>${i.problems.map((p) => html`<li><a href="/cases/${caseId}/proposal/${p.part.id}">${partTitle(lang, p.part)}: ${p.text}</a></li>`)}</ul></div>`
    : '';
  if (i.stale) {
    const stale = i.stale;
    const parts = PROPOSAL_PARTS.filter((p) => p.fields.some((f) => stale.changed.includes(f)));
    const body = html`<p><a class="back-link" href="/cases/${caseId}/proposal">${t(lang, 'proposalPages.back')}</a></p>
<div class="alert" role="alert" id="stale"><h2>${t(lang, 'proposalPages.stale.title')}</h2><p>${t(lang, 'proposalPages.stale.text')}</p></div>
<h1>${title}</h1>
${caseLine(i)}
${parts.map((part) => {
  const fields = part.fields.filter((f) => stale.changed.includes(f));
  return html`<section aria-labelledby="changed-${part.id}"><h2 id="changed-${part.id}">${partTitle(lang, part)}</h2>
<h3>${t(lang, 'proposalPages.stale.now')}</h3>${summaryList(lang, fields, stale.held, i.setup.hints)}
<h3>${t(lang, 'proposalPages.stale.mine')}</h3>${summaryList(lang, fields, i.payload, i.setup.hints)}</section>`;
})}
<form method="post" action="/cases/${caseId}/proposal/restart"><input type="hidden" name="_csrf" value="${i.csrfToken}">
<p>${t(lang, 'proposalPages.stale.restartHint')}</p>
<p><button type="submit">${t(lang, 'proposalPages.stale.restart')}</button></p></form>`;
    return { title: `${t(lang, 'proposalPages.stale.title')} – ${title}`, body };
  }
  const sections = PROPOSAL_PARTS.map(
    (part) => html`<section aria-labelledby="check-${part.id}"><h2 id="check-${part.id}">${partTitle(lang, part)}</h2>
${summaryList(lang, part.fields, i.payload, i.setup.hints, { href: `/cases/${caseId}/proposal/${part.id}`, part: part.id })}</section>`,
  );
  const body = html`<p><a class="back-link" href="/cases/${caseId}/proposal">${t(lang, 'proposalPages.back')}</a></p>
${problems}
${i.notice ? html`<div class="alert" role="alert">${i.notice}</div>` : ''}
<h1>${title}</h1>
${caseLine(i)}
<p>${t(lang, 'proposalPages.check.intro')}</p>
${sections}
<h2>${t(lang, 'proposalPages.check.sendTitle')}</h2>
<p>${t(lang, 'proposalPages.check.sendText')}</p>
<form method="post" action="/cases/${caseId}/proposal/check" novalidate><input type="hidden" name="_csrf" value="${i.csrfToken}">
<p><button type="submit">${t(lang, 'proposalPages.check.send')}</button></p></form>`;
  return { title: i.problems.length ? `${t(lang, 'web.errorPrefix')} ${title}` : title, body };
}
