import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { has, t, type Language } from '../../i18n/index.js';
import { localDate } from '../../mail/calendar.js';
import { formatOre } from '../../money/format.js';
import type { DateRange } from '../../plans/dates.js';
import {
  ASSIGNMENT_STATUSES,
  INDICATOR_KINDS,
  type IndicatorKind,
  type IndicatorValue,
  type PlanDocument,
  type PlanIndicator,
  type PlanList,
} from '../../plans/document.js';
import { isOverdue, yearOutcome } from '../../plans/outcome.js';
import { adoptionSchema, PLAN_RECORDERS, type Plans } from '../../plans/service.js';
import { allAreas, type ProgrammeConfig } from '../../programmes/config.js';
import type { ProgrammeService } from '../../programmes/service.js';
import type { Actor } from '../../people/actor.js';
import { dateTime } from '../../web/dates.js';
import { firstText } from '../../web/forms.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { multiYearPagePath } from '../../web/multi-year.js';
import { backLink, errorSummary, notice, type Problem } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * A programme's plan in the browser. Everyone of the programme but initiators reads the plan
 * in force: its decision, the next revision date, goals by horizon, indicators with their
 * yearly targets met or missed, the action plan and the assignments (marked when overdue),
 * and every adopted version with what changed between two. The administrator edits the draft
 * of the next revision part by part (short forms, repeated rows with an empty one to add),
 * and adopts it after a check of the draft and the decision. The administrator, the county
 * coordinators and the steering group record an indicator's value and an assignment's status.
 * Everything goes through the plans service, as the API does.
 */

export interface PlanPageDeps {
  plans: Plans;
  programmes: Pick<ProgrammeService, 'get'>;
  now: () => Date;
}

const RECORDERS = PLAN_RECORDERS;
const ITEM_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const SECTIONS = ['title', 'goals', 'indicators', 'rows', 'assignments'] as const;
type Section = (typeof SECTIONS)[number];
/** Rows of a repeated part read back from a form, at most. */
const MAX_ROWS = 200;

type Values = Record<string, string | string[]>;
type Need = 'read' | 'record' | 'edit';

interface Here {
  id: string;
  config: ProgrammeConfig;
  admin: boolean;
  recorder: boolean;
}

/** One input of a draft form, in page order (for the error summary's order and labels). */
interface Shown {
  key: string;
  id: string;
  label: string;
}

const fieldId = (key: string) => `plan-${key.replace(/\./g, '-')}`;
const text = (values: Values, key: string) => firstText(values[key]).trim();
const list = (values: Values, key: string) => ([] as string[]).concat(values[key] ?? []).filter((v) => typeof v === 'string' && v !== '');
const rangeText = (r: DateRange | undefined) => (r ? (r.label ?? (r.from === r.to ? r.from : `${r.from} – ${r.to}`)) : '');

/** A number as typed (a decimal comma, spaces between thousands), or the text itself for the service to refuse. */
function numberOf(typed: string): number | string | undefined {
  const s = typed.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (s === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : typed;
}
/** Kronor as typed, in öre; more than two decimals or words stay text (refused). */
function oreOf(typed: string): number | string | undefined {
  const s = typed
    .replace(/[\s\u00a0]/g, '')
    .replace(/(kr|sek)$/i, '')
    .replace(',', '.');
  if (s === '') return undefined;
  return /^\d+(\.\d{1,2})?$/.test(s) ? Math.round(Number(s) * 100) : typed;
}
const YES = ['ja', 'yes', 'true', 'levererad', 'levererat', 'delivered'];
const NO = ['nej', 'no', 'false'];
function yesNoOf(typed: string): boolean | string | undefined {
  const s = typed.trim().toLowerCase();
  if (s === '') return undefined;
  return YES.includes(s) ? true : NO.includes(s) ? false : typed;
}
const numeric = (kind: string) => kind === 'number' || kind === 'percentage';

export const planPages: FastifyPluginAsync<PlanPageDeps> = async (pages, { plans, programmes, now }) => {
  const p = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `plan.pages.${key}`, params);
  const csrfInput = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;
  const today = () => localDate(now().toISOString());
  const num = (lang: Language, n: number) => new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB').format(n);

  /** Runs a handler for the roles of the programme the pages work in that may `need`; others get the 403 page. */
  const guard = (need: Need, handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, here: Here) => unknown) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      const roles = programme?.roles ?? [];
      const admin = roles.includes('administrator');
      const recorder = roles.some((r) => RECORDERS.includes(r));
      const ok = need === 'edit' ? admin : need === 'record' ? recorder : roles.some((r) => r !== 'initiator');
      const config = programme && programmes.get(programme.id);
      if (!programme || !config || !ok) return errorPage(request, reply, 403);
      return handler(request, reply, actor, { id: programme.id, config, admin, recorder });
    });

  /** What the service answers, or undefined where it says there is none (no plan adopted, no draft). */
  function orNone<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not-found') return undefined;
      throw error;
    }
  }

  const areaLabels = (lang: Language, config: ProgrammeConfig) => new Map(allAreas(config).map((a) => [a.id, a.label[lang]]));

  // ---- how the plan reads ------------------------------------------------------------------

  function targetText(lang: Language, ind: { kind: IndicatorKind; unit?: string }, value: number | true | boolean): string {
    if (typeof value === 'number')
      return ind.kind === 'percentage' ? `${num(lang, value)} %` : `${num(lang, value)}${ind.unit ? ` ${ind.unit}` : ''}`;
    if (ind.kind === 'document') return value ? p(lang, 'delivered') : p(lang, 'notDelivered');
    return value ? p(lang, 'yes') : p(lang, 'no');
  }

  function valueText(lang: Language, ind: { kind: IndicatorKind; unit?: string }, v: IndicatorValue): string {
    if (v.kind === 'document') return v.value.reference ? `${v.value.title} (${v.value.reference})` : v.value.title;
    return targetText(lang, ind, v.value);
  }

  type Measured = {
    year: number;
    value: IndicatorValue;
    enteredBy: { displayName: string | null };
    enteredAt: string;
    note: string | null;
  };

  function indicatorHtml(lang: Language, here: Here, ind: PlanIndicator, goals: Map<string, string>, values?: Measured[]): SafeHtml {
    const thisYear = Number(today().slice(0, 4));
    const years = [...new Set([...ind.targets.map((x) => x.year), ...(values ?? []).map((v) => v.year)])].sort((a, b) => a - b);
    const meta = [
      p(lang, 'kindIs', { kind: t(lang, `plan.kinds.${ind.kind}`) }),
      ind.source ? p(lang, 'sourceIs', { source: ind.source }) : '',
      ind.baseline ? p(lang, 'baselineIs', { year: ind.baseline.year, value: targetText(lang, ind, ind.baseline.value) }) : '',
      ind.goalIds.length ? p(lang, 'servesGoals', { goals: ind.goalIds.map((g) => goals.get(g) ?? '–').join('; ') }) : '',
    ].filter(Boolean);
    const outcome = (year: number, target: number | true | undefined, latest: Measured | undefined): SafeHtml => {
      switch (yearOutcome(ind, year, target, latest?.value, thisYear)) {
        case 'no-target':
          return html`${p(lang, 'noTarget')}`;
        case 'not-measured':
          return html`${p(lang, 'noValueRecorded')}`;
        case 'not-yet-due':
          return html`${p(lang, 'noValueYet')}`;
        case 'met':
          return html`<strong class="met">${p(lang, 'met')}</strong>`;
        case 'missed':
          return html`<strong class="missed">${p(lang, 'missed')}</strong>`;
      }
    };
    const rows = years.map((year) => {
      const target = ind.targets.find((x) => x.year === year)?.value;
      const latest = values?.find((v) => v.year === year);
      return html`<tr><th scope="row">${year}</th><td>${target === undefined ? '–' : targetText(lang, ind, target)}</td>${
        values
          ? html`<td>${latest ? valueText(lang, ind, latest.value) : '–'}${latest?.note ? html`<br><span class="meta">${latest.note}</span>` : ''}</td><td>${outcome(year, target, latest)}</td><td>${latest ? p(lang, 'enteredBy', { name: latest.enteredBy.displayName ?? '–', date: dateTime(lang, latest.enteredAt) }) : '–'}</td>`
          : ''
      }</tr>`;
    });
    return html`<h3>${ind.label}</h3>
<p class="meta">${meta.join(' · ')}</p>
${
  years.length
    ? html`<table><caption class="visually-hidden">${p(lang, 'perYear', { indicator: ind.label })}</caption>
<thead><tr><th scope="col">${p(lang, 'year')}</th><th scope="col">${p(lang, 'target')}</th>${values ? html`<th scope="col">${p(lang, 'value')}</th><th scope="col">${p(lang, 'outcome')}</th><th scope="col">${p(lang, 'entered')}</th>` : ''}</tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>${p(lang, 'noTargets')}</p>`
}
${values && here.recorder ? html`<p><a href="/plan/indicators/${ind.id}/value">${p(lang, 'recordValue')}<span class="visually-hidden">: ${ind.label}</span></a></p>` : ''}`;
  }

  interface Follow {
    values: (id: string) => Measured[];
    status: (id: string) => string;
  }

  /** The plan's content: goals by horizon, indicators, the action plan, the assignments; with what was measured and done when `follow` is given. */
  function documentHtml(lang: Language, here: Here, doc: PlanDocument, follow?: Follow): SafeHtml {
    const areas = areaLabels(lang, here.config);
    const goals = new Map(doc.goals.map((g) => [g.id, g.title]));
    const indicators = new Map(doc.indicators.map((i) => [i.id, i.label]));
    const horizons = [...new Set(doc.goals.map((g) => g.horizonYears))].sort((a, b) => b - a);
    const day = today();
    const goalsHtml = horizons.map(
      (h) =>
        html`<h3>${p(lang, 'withinYears', { years: h })}</h3><ul>${doc.goals
          .filter((g) => g.horizonYears === h)
          .map(
            (g) =>
              html`<li><p>${g.title}</p>${g.description ? html`<p class="text">${g.description}</p>` : ''}<p class="meta">${p(lang, 'targetYearIs', { year: g.targetYear })}${
                g.areaIds.length ? ` · ${p(lang, 'areasAre', { areas: g.areaIds.map((a) => areas.get(a) ?? '–').join(', ') })}` : ''
              }</p></li>`,
          )}</ul>`,
    );
    const rowsHtml = doc.rows.length
      ? html`<table><caption class="visually-hidden">${t(lang, 'plan.rows')}</caption>
<thead><tr><th scope="col">${p(lang, 'f.activity')}</th><th scope="col">${p(lang, 'f.targetGroup')}</th><th scope="col">${p(lang, 'f.responsible')}</th><th scope="col">${p(lang, 'f.timeFrame')}</th><th scope="col">${t(lang, 'plan.indicators')}</th><th scope="col">${p(lang, 'f.cost')}</th><th scope="col">${p(lang, 'f.staffHours')}</th></tr></thead>
<tbody>${doc.rows.map(
          (r) =>
            html`<tr><td class="text">${r.activity}</td><td>${r.targetGroup ?? '–'}</td><td>${r.responsible ?? '–'}</td><td>${rangeText(r.timeFrame) || '–'}</td><td>${r.indicatorIds.map((i) => indicators.get(i) ?? '–').join('; ') || '–'}</td><td>${r.costOre !== undefined ? formatOre(r.costOre, lang) : '–'}</td><td>${r.staffHours !== undefined ? num(lang, r.staffHours) : '–'}</td></tr>`,
        )}</tbody></table>`
      : html`<p>${p(lang, 'noRows')}</p>`;
    const assignmentsHtml = doc.assignments.length
      ? html`<table><caption class="visually-hidden">${t(lang, 'plan.assignments')}</caption>
<thead><tr><th scope="col">${p(lang, 'f.assignment')}</th><th scope="col">${p(lang, 'f.responsible')}</th><th scope="col">${p(lang, 'f.due')}</th>${follow ? html`<th scope="col">${p(lang, 'status')}</th>` : ''}</tr></thead>
<tbody>${doc.assignments.map((a) => {
          const status = follow?.status(a.id);
          const overdue = follow && isOverdue(a, status ?? 'open', day);
          return html`<tr${overdue ? raw(' class="overdue"') : ''}><td class="text">${a.title}${a.description ? html`<br><span class="meta">${a.description}</span>` : ''}${
            a.goalIds.length
              ? html`<br><span class="meta">${p(lang, 'servesGoals', { goals: a.goalIds.map((g) => goals.get(g) ?? '–').join('; ') })}</span>`
              : ''
          }</td><td>${a.responsible}</td><td>${rangeText(a.due)}${overdue ? html` <strong class="tag overdue">${p(lang, 'overdue')}</strong>` : ''}</td>${
            follow
              ? html`<td>${t(lang, `plan.statuses.${status}`)}${here.recorder ? html`<br><a href="/plan/assignments/${a.id}/status">${p(lang, 'changeStatus')}<span class="visually-hidden">: ${a.title}</span></a>` : ''}</td>`
              : ''
          }</tr>`;
        })}</tbody></table>`
      : html`<p>${p(lang, 'noAssignments')}</p>`;
    return html`${doc.summary ? html`<p class="text">${doc.summary}</p>` : ''}
<section aria-labelledby="goals"><h2 id="goals">${t(lang, 'plan.goals')}</h2>${goalsHtml}</section>
<section aria-labelledby="indicators"><h2 id="indicators">${t(lang, 'plan.indicators')}</h2>${
      doc.indicators.length
        ? doc.indicators.map((i) => indicatorHtml(lang, here, i, goals, follow?.values(i.id)))
        : html`<p>${p(lang, 'noIndicators')}</p>`
    }</section>
<section aria-labelledby="rows"><h2 id="rows">${t(lang, 'plan.rows')}</h2>${rowsHtml}</section>
<section aria-labelledby="assignments"><h2 id="assignments">${t(lang, 'plan.assignments')}</h2>${assignmentsHtml}</section>`;
  }

  type Decision = {
    version: number;
    adoptedByBody: string;
    decisionReference: string;
    decisionDate: string;
    nextRevisionDue: string;
    inForce: boolean;
  };
  const decisionHtml = (lang: Language, v: Decision) => {
    const late = v.inForce && v.nextRevisionDue < today();
    return html`<dl>
<dt>${p(lang, 'version')}</dt><dd>${p(lang, 'versionN', { version: v.version })}${v.inForce ? ` (${p(lang, 'inForce')})` : ''}</dd>
<dt>${p(lang, 'adoptedBy')}</dt><dd>${v.adoptedByBody}</dd>
<dt>${p(lang, 'reference')}</dt><dd>${v.decisionReference}</dd>
<dt>${p(lang, 'decisionDate')}</dt><dd>${v.decisionDate}</dd>
<dt>${t(lang, 'plan.nextRevisionDue')}</dt><dd>${v.nextRevisionDue}${late ? html` <strong class="tag overdue">${p(lang, 'revisionOverdue')}</strong>` : ''}</dd>
</dl>`;
  };

  // ---- the plan in force --------------------------------------------------------------------

  const DONE = ['adopted', 'value', 'status', 'saved'];

  pages.get(
    '/plan',
    { schema: { hide: true } },
    guard('read', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const plan = orNone(() => plans.inForce(actor, here.id));
      const done = firstText((request.query as Record<string, unknown>).done);
      const said = notice(DONE.includes(done) ? p(lang, `done.${done}`) : undefined);
      const links = html`<ul class="links"><li><a href="/plan/versions">${p(lang, 'versionsLink')}</a></li><li><a href="${multiYearPagePath(here.id)}">${t(lang, 'multiYear.linkLong')}</a></li>${here.admin ? html`<li><a href="/plan/draft">${p(lang, 'draftLink')}</a></li>` : ''}</ul>`;
      if (!plan) {
        const title = t(lang, 'plan.title');
        return sendPage(request, reply, { title, body: html`${said}<h1>${title}</h1><p>${p(lang, 'noPlan')}</p>${links}` });
      }
      const d = plan.document;
      const values = new Map(d.indicators.map((i) => [i.id, i.values as Measured[]]));
      const statuses = new Map(d.assignments.map((a) => [a.id, a.status as string]));
      const body = html`${said}<h1>${d.title}</h1>
<p class="meta">${t(lang, 'plan.title')}</p>
${decisionHtml(lang, plan)}
${links}
${documentHtml(lang, here, d, { values: (id) => values.get(id) ?? [], status: (id) => statuses.get(id) ?? 'open' })}`;
      return sendPage(request, reply, { title: d.title, body });
    }),
  );

  // ---- versions and what changed -------------------------------------------------------------

  pages.get(
    '/plan/versions',
    { schema: { hide: true } },
    guard('read', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const { items } = plans.versions(actor, here.id);
      const title = p(lang, 'versionsTitle');
      const newest = items.at(-1)?.version ?? 1;
      const options = (chosen: number) =>
        items.map(
          (v) =>
            html`<option value="${v.version}"${v.version === chosen ? raw(' selected') : ''}>${p(lang, 'versionN', { version: v.version })}</option>`,
        );
      const body = html`${backLink('/plan', t(lang, 'plan.title'))}<h1>${title}</h1>
<p>${p(lang, 'versionsIntro')}</p>
${
  items.length === 0
    ? html`<p>${p(lang, 'noVersions')}</p>`
    : html`<table><caption class="visually-hidden">${title}</caption>
<thead><tr><th scope="col">${p(lang, 'version')}</th><th scope="col">${p(lang, 'f.title')}</th><th scope="col">${p(lang, 'adoptedBy')}</th><th scope="col">${p(lang, 'reference')}</th><th scope="col">${p(lang, 'decisionDate')}</th><th scope="col">${t(lang, 'plan.nextRevisionDue')}</th></tr></thead>
<tbody>${[...items]
        .reverse()
        .map(
          (v) =>
            html`<tr${v.inForce ? raw(' class="current"') : ''}><td><a href="/plan/versions/${v.version}">${p(lang, 'versionN', { version: v.version })}</a>${v.inForce ? html` <span class="tag">${p(lang, 'inForce')}</span>` : ''}</td><td class="text">${v.title}</td><td>${v.adoptedByBody}</td><td>${v.decisionReference}</td><td>${v.decisionDate}</td><td>${v.nextRevisionDue}</td></tr>`,
        )}</tbody></table>
${
  items.length > 1
    ? html`<h2 id="compare">${p(lang, 'compareTitle')}</h2>
<form method="get" action="/plan/diff" aria-labelledby="compare">
<div class="field"><label for="plan-diff-from">${p(lang, 'compareFrom')}</label><select id="plan-diff-from" name="from">${options(newest - 1)}</select></div>
<div class="field"><label for="plan-diff-to">${p(lang, 'compareTo')}</label><select id="plan-diff-to" name="to">${options(newest)}</select></div>
<div class="button-group"><button type="submit">${p(lang, 'compare')}</button></div>
</form>`
    : ''
}`
}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  const versionParam = (raw: unknown) => {
    const s = firstText(raw);
    if (!/^\d{1,6}$/.test(s) || Number(s) < 1) throw new DomainError('not-found', 'no such version');
    return Number(s);
  };

  pages.get(
    '/plan/versions/:version',
    { schema: { hide: true } },
    guard('read', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const view = plans.version(actor, here.id, versionParam((request.params as Record<string, unknown>).version));
      const title = p(lang, 'versionTitle', { version: view.version });
      const body = html`${backLink('/plan/versions', p(lang, 'versionsTitle'))}<h1>${title}</h1>
<p class="lead">${view.document.title}</p>
${decisionHtml(lang, view)}
${documentHtml(lang, here, view.document)}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  /** A value of a changed field in words: dates as the plan wrote them, links by their labels, money in kronor. */
  function fieldValue(lang: Language, here: Here, field: string, value: unknown, names: Map<string, string>): string {
    if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return p(lang, 'nothing');
    if (field === 'areaIds') {
      const areas = areaLabels(lang, here.config);
      return (value as string[]).map((a) => areas.get(a) ?? '–').join(', ');
    }
    if (field.endsWith('Ids')) return (value as string[]).map((id) => names.get(id) ?? '–').join('; ');
    if (field === 'kind') return t(lang, `plan.kinds.${String(value)}`);
    if (field === 'direction') return p(lang, `directionOptions.${String(value)}`);
    if (field === 'costOre') return formatOre(Number(value), lang);
    if (field === 'due' || field === 'timeFrame') return rangeText(value as DateRange);
    if (field === 'targets')
      return (value as { year: number; value: number | true }[])
        .map((x) => `${x.year}: ${typeof x.value === 'number' ? num(lang, x.value) : p(lang, 'yes')}`)
        .join('; ');
    if (field === 'baseline') {
      const b = value as { year: number; value: number | boolean };
      return `${b.year}: ${typeof b.value === 'number' ? num(lang, b.value) : b.value ? p(lang, 'yes') : p(lang, 'no')}`;
    }
    return typeof value === 'number' ? num(lang, value) : String(value);
  }

  pages.get(
    '/plan/diff',
    { schema: { hide: true } },
    guard('read', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const query = request.query as Record<string, unknown>;
      const from = versionParam(query.from);
      const to = versionParam(query.to);
      const diff = plans.diff(actor, here.id, from, to);
      const docs = [plans.version(actor, here.id, from).document, plans.version(actor, here.id, to).document];
      const names = new Map<string, string>();
      for (const doc of docs) {
        for (const g of doc.goals) names.set(g.id, g.title);
        for (const i of doc.indicators) names.set(i.id, i.label);
        for (const r of doc.rows) names.set(r.id, r.activity);
        for (const a of doc.assignments) names.set(a.id, a.title);
      }
      const fieldName = (field: string) => p(lang, `fieldNames.${field}`);
      const changes = (items: { field: string; from: unknown; to: unknown }[]) =>
        html`<ul>${items.map(
          (c) =>
            html`<li>${p(lang, 'changedField', { field: fieldName(c.field), from: fieldValue(lang, here, c.field, c.from, names), to: fieldValue(lang, here, c.field, c.to, names) })}</li>`,
        )}</ul>`;
      const part = (key: PlanList) => {
        const d = diff[key];
        const none = d.added.length + d.removed.length + d.changed.length === 0;
        return html`<section aria-labelledby="diff-${key}"><h2 id="diff-${key}">${t(lang, `plan.${key}`)}</h2>
${none ? html`<p>${p(lang, 'noChange')}</p>` : ''}
${d.added.length ? html`<h3>${p(lang, 'added')}</h3><ul>${d.added.map((a) => html`<li>${a.label}</li>`)}</ul>` : ''}
${d.removed.length ? html`<h3>${p(lang, 'removed')}</h3><ul>${d.removed.map((a) => html`<li>${a.label}</li>`)}</ul>` : ''}
${d.changed.length ? html`<h3>${p(lang, 'changed')}</h3><ul>${d.changed.map((c) => html`<li><p>${c.label}</p>${changes(c.fields)}</li>`)}</ul>` : ''}
</section>`;
      };
      const title = p(lang, 'diffTitle', { from, to });
      const body = html`${backLink('/plan/versions', p(lang, 'versionsTitle'))}<h1>${title}</h1>
${diff.plan.length ? html`<section aria-labelledby="diff-plan"><h2 id="diff-plan">${p(lang, 'diffPlan')}</h2>${changes(diff.plan)}</section>` : ''}
${(['goals', 'indicators', 'rows', 'assignments'] as const).map(part)}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  // ---- the draft -------------------------------------------------------------------------------

  interface DraftState {
    /** The draft's document, or what a new draft starts from (the plan in force), or nothing. */
    doc?: PlanDocument;
    counter: number;
    saved: boolean;
    version: number;
    basedOn?: number;
    updated?: { name: string | null; at: string };
  }

  function draftState(actor: Actor, here: Here): DraftState {
    const draft = orNone(() => plans.draft(actor, here.id));
    if (draft)
      return {
        doc: draft.document,
        counter: draft.draftCounter,
        saved: true,
        version: draft.version,
        updated: { name: draft.updatedBy.displayName, at: draft.updatedAt },
      };
    const { items } = plans.versions(actor, here.id);
    const last = items.at(-1);
    if (!last) return { counter: 0, saved: false, version: 1 };
    return {
      doc: plans.version(actor, here.id, last.version).document,
      counter: 0,
      saved: false,
      version: last.version + 1,
      basedOn: last.version,
    };
  }

  const sectionOf = (request: FastifyRequest): Section => {
    const section = (request.params as { section?: unknown }).section;
    if (!SECTIONS.includes(section as Section)) throw new DomainError('not-found', 'no such page');
    return section as Section;
  };

  /** The parts a section's form holds: a plan begun from nothing asks its name and its goals together (it needs one goal to be saved). */
  const partsOf = (section: Section, state: DraftState): Section[] => (section === 'title' && !state.doc ? ['title', 'goals'] : [section]);

  function sectionSummary(lang: Language, doc: PlanDocument, section: Section): SafeHtml {
    const items = (labels: string[]) =>
      labels.length ? html`<ul>${labels.map((l) => html`<li>${l}</li>`)}</ul>` : html`<p>${p(lang, 'noneYet')}</p>`;
    switch (section) {
      case 'title':
        return html`<dl><dt>${p(lang, 'f.title')}</dt><dd>${doc.title}</dd><dt>${p(lang, 'f.summary')}</dt><dd class="text">${doc.summary ?? '–'}</dd></dl>`;
      case 'goals':
        return items(doc.goals.map((g) => `${p(lang, 'withinYears', { years: g.horizonYears })} (${g.targetYear}): ${g.title}`));
      case 'indicators':
        return items(
          doc.indicators.map(
            (i) =>
              `${i.label}${i.targets.length ? ` – ${i.targets.map((x) => `${x.year}: ${targetText(lang, i, x.value)}`).join('; ')}` : ''}`,
          ),
        );
      case 'rows':
        return items(doc.rows.map((r) => `${r.activity}${r.timeFrame ? ` (${rangeText(r.timeFrame)})` : ''}`));
      case 'assignments':
        return items(doc.assignments.map((a) => `${a.title} – ${rangeText(a.due)}`));
    }
  }

  pages.get(
    '/plan/draft',
    { schema: { hide: true } },
    guard('edit', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const state = draftState(actor, here);
      const done = firstText((request.query as Record<string, unknown>).done);
      const title = p(lang, 'draftTitle', { version: state.version });
      const status = state.saved
        ? p(lang, 'draftSaved', { name: state.updated?.name ?? '–', date: dateTime(lang, state.updated!.at) })
        : state.doc
          ? p(lang, 'draftFromInForce', { version: state.basedOn ?? 1 })
          : p(lang, 'draftNew');
      const body = html`${backLink('/plan', t(lang, 'plan.title'))}${notice(done === 'saved' ? p(lang, 'done.saved') : undefined)}<h1>${title}</h1>
<p>${p(lang, 'draftIntro')}</p>
<p class="meta">${status}</p>
${
  state.doc
    ? SECTIONS.map(
        (s) => html`<section class="settings-part" aria-labelledby="part-${s}"><h2 id="part-${s}">${p(lang, `sections.${s}`)}</h2>
${sectionSummary(lang, state.doc!, s)}
<p><a href="/plan/draft/${s}">${p(lang, 'change')}<span class="visually-hidden"> ${p(lang, `sections.${s}`).toLowerCase()}</span></a></p></section>`,
      )
    : html`<p><a class="button" href="/plan/draft/title">${p(lang, 'startDraft')}</a></p>`
}
${state.saved ? html`<h2>${p(lang, 'adoptHeading')}</h2><p>${p(lang, 'adoptIntro')}</p><p><a class="button" href="/plan/draft/adopt">${p(lang, 'adoptLink')}</a></p>` : ''}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  // ---- a part of the draft as a form ----------------------------------------------------------------

  /** A document's part as the form's values. */
  function valuesOf(doc: PlanDocument | undefined, parts: Section[]): Values {
    const out: Values = {};
    if (!doc) return out;
    const put = (key: string, v: string | number | undefined) => {
      if (v !== undefined) out[key] = String(v);
    };
    for (const part of parts) {
      if (part === 'title') {
        put('title', doc.title);
        put('summary', doc.summary);
      }
      if (part === 'goals')
        doc.goals.forEach((g, i) => {
          put(`goals.${i}.id`, g.id);
          put(`goals.${i}.title`, g.title);
          put(`goals.${i}.description`, g.description);
          put(`goals.${i}.horizonYears`, g.horizonYears);
          put(`goals.${i}.targetYear`, g.targetYear);
          out[`goals.${i}.areaIds`] = g.areaIds;
        });
      if (part === 'indicators')
        doc.indicators.forEach((ind, i) => {
          put(`indicators.${i}.id`, ind.id);
          put(`indicators.${i}.label`, ind.label);
          put(`indicators.${i}.kind`, ind.kind);
          put(`indicators.${i}.unit`, ind.unit);
          put(`indicators.${i}.source`, ind.source);
          put(`indicators.${i}.direction`, ind.direction);
          if (ind.baseline) {
            put(`indicators.${i}.baseline.year`, ind.baseline.year);
            put(
              `indicators.${i}.baseline.value`,
              typeof ind.baseline.value === 'number' ? String(ind.baseline.value) : ind.baseline.value ? 'ja' : 'nej',
            );
          }
          ind.targets.forEach((x, j) => {
            put(`indicators.${i}.targets.${j}.year`, x.year);
            put(`indicators.${i}.targets.${j}.value`, typeof x.value === 'number' ? x.value : 'ja');
          });
          out[`indicators.${i}.goalIds`] = ind.goalIds;
        });
      if (part === 'rows')
        doc.rows.forEach((r, i) => {
          put(`rows.${i}.id`, r.id);
          put(`rows.${i}.activity`, r.activity);
          put(`rows.${i}.targetGroup`, r.targetGroup);
          put(`rows.${i}.responsible`, r.responsible);
          put(`rows.${i}.timeFrame`, r.timeFrame ? rangeText(r.timeFrame) : undefined);
          put(`rows.${i}.cost`, r.costOre !== undefined ? (r.costOre / 100).toFixed(2).replace(/\.00$/, '') : undefined);
          put(`rows.${i}.staffHours`, r.staffHours);
          out[`rows.${i}.indicatorIds`] = r.indicatorIds;
          out[`rows.${i}.goalIds`] = r.goalIds;
        });
      if (part === 'assignments')
        doc.assignments.forEach((a, i) => {
          put(`assignments.${i}.id`, a.id);
          put(`assignments.${i}.title`, a.title);
          put(`assignments.${i}.description`, a.description);
          put(`assignments.${i}.responsible`, a.responsible);
          put(`assignments.${i}.due`, rangeText(a.due));
          out[`assignments.${i}.goalIds`] = a.goalIds;
          out[`assignments.${i}.rowIds`] = a.rowIds;
        });
    }
    return out;
  }

  /** The text inputs of a row: a row where all of them are empty is no row. */
  const ROW_TEXTS: Record<PlanList, string[]> = {
    goals: ['title', 'description', 'horizonYears', 'targetYear'],
    indicators: ['label', 'kind', 'unit', 'source', 'direction', 'baseline.year', 'baseline.value'],
    rows: ['activity', 'targetGroup', 'responsible', 'timeFrame', 'cost', 'staffHours'],
    assignments: ['title', 'description', 'responsible', 'due'],
  };

  /** The posted values with the empty rows (and empty targets) dropped and the others numbered from 0, as the service will number them. */
  function compacted(posted: Values): Values {
    const out: Values = {};
    for (const key of ['title', 'summary']) if (posted[key] !== undefined) out[key] = firstText(posted[key]);
    for (const listName of Object.keys(ROW_TEXTS) as PlanList[]) {
      const rows = new Map<number, Map<string, string | string[]>>();
      for (const [key, value] of Object.entries(posted)) {
        const m = new RegExp(`^${listName}\\.(\\d{1,3})\\.(.+)$`).exec(key);
        if (!m || Number(m[1]) >= MAX_ROWS) continue;
        const row = rows.get(Number(m[1])) ?? new Map<string, string | string[]>();
        rows.set(Number(m[1]), row);
        row.set(m[2]!, value);
      }
      const filled = [...rows.keys()]
        .sort((a, b) => a - b)
        .filter((n) => ROW_TEXTS[listName].some((f) => firstText(rows.get(n)!.get(f)).trim() !== '') || hasTargets(rows.get(n)!));
      filled.forEach((n, i) => {
        const row = rows.get(n)!;
        // The targets of an indicator, their empty rows dropped too.
        const targets = [...new Set([...row.keys()].map((k) => /^targets\.(\d{1,3})\./.exec(k)?.[1]).filter((x) => x !== undefined))]
          .map(Number)
          .sort((a, b) => a - b)
          .filter((j) => ['year', 'value'].some((f) => firstText(row.get(`targets.${j}.${f}`)).trim() !== ''));
        for (const [field, value] of row) if (!field.startsWith('targets.')) out[`${listName}.${i}.${field}`] = value;
        targets.forEach((j, k) => {
          for (const f of ['year', 'value']) {
            const v = row.get(`targets.${j}.${f}`);
            if (v !== undefined) out[`${listName}.${i}.targets.${k}.${f}`] = v;
          }
        });
      });
    }
    return out;
  }
  function hasTargets(row: Map<string, string | string[]>) {
    return [...row].some(([k, v]) => /^targets\.\d+\.(year|value)$/.test(k) && firstText(v).trim() !== '');
  }

  const countOf = (values: Values, listName: string) => {
    let n = 0;
    while (Object.keys(values).some((k) => k.startsWith(`${listName}.${n}.`))) n += 1;
    return n;
  };

  /** The document a part's form makes of the draft (or of nothing): references to items that are gone are dropped with them. */
  function documentOf(base: PlanDocument | undefined, parts: Section[], values: Values): Record<string, unknown> {
    const doc: Record<string, unknown> = base
      ? (structuredClone(base) as unknown as Record<string, unknown>)
      : { goals: [], indicators: [], rows: [], assignments: [] };
    const opt = (s: string) => (s === '' ? undefined : s);
    const idOf = (key: string) => opt(text(values, key));
    const rows = (name: string) => Array.from({ length: countOf(values, name) }, (_, i) => `${name}.${i}`);
    const ranges = new Map<string, DateRange>();
    for (const r of base?.rows ?? []) if (r.timeFrame) ranges.set(`row:${r.id}`, r.timeFrame);
    for (const a of base?.assignments ?? []) ranges.set(`assignment:${a.id}`, a.due);
    /** A date typed as the item had it stays the same range (one given as days has no words of its own). */
    const dateOf = (kind: string, id: string | undefined, typed: string) => {
      const before = id ? ranges.get(`${kind}:${id}`) : undefined;
      return before && rangeText(before) === typed ? before : opt(typed);
    };
    for (const part of parts) {
      if (part === 'title') {
        doc.title = text(values, 'title');
        doc.summary = opt(text(values, 'summary'));
      }
      if (part === 'goals')
        doc.goals = rows('goals').map((r) => ({
          id: idOf(`${r}.id`),
          title: text(values, `${r}.title`),
          description: opt(text(values, `${r}.description`)),
          horizonYears: numberOf(text(values, `${r}.horizonYears`)),
          targetYear: numberOf(text(values, `${r}.targetYear`)),
          areaIds: list(values, `${r}.areaIds`),
        }));
      if (part === 'indicators')
        doc.indicators = rows('indicators').map((r) => {
          const kind = text(values, `${r}.kind`);
          const valueOf = (typed: string) =>
            numeric(kind) ? numberOf(typed) : kind ? yesNoOf(typed) : (numberOf(typed) ?? yesNoOf(typed));
          const baselineYear = text(values, `${r}.baseline.year`);
          const baselineValue = text(values, `${r}.baseline.value`);
          return {
            id: idOf(`${r}.id`),
            label: text(values, `${r}.label`),
            kind: opt(kind),
            unit: opt(text(values, `${r}.unit`)),
            source: opt(text(values, `${r}.source`)),
            direction: opt(text(values, `${r}.direction`)),
            goalIds: list(values, `${r}.goalIds`),
            baseline: baselineYear || baselineValue ? { year: numberOf(baselineYear), value: valueOf(baselineValue) } : undefined,
            targets: Array.from({ length: countOf(values, `${r}.targets`) }, (_, j) => ({
              year: numberOf(text(values, `${r}.targets.${j}.year`)),
              value: valueOf(text(values, `${r}.targets.${j}.value`)),
            })),
          };
        });
      if (part === 'rows')
        doc.rows = rows('rows').map((r) => ({
          id: idOf(`${r}.id`),
          activity: text(values, `${r}.activity`),
          targetGroup: opt(text(values, `${r}.targetGroup`)),
          responsible: opt(text(values, `${r}.responsible`)),
          timeFrame: dateOf('row', idOf(`${r}.id`), text(values, `${r}.timeFrame`)),
          indicatorIds: list(values, `${r}.indicatorIds`),
          goalIds: list(values, `${r}.goalIds`),
          costOre: oreOf(text(values, `${r}.cost`)),
          staffHours: numberOf(text(values, `${r}.staffHours`)),
        }));
      if (part === 'assignments')
        doc.assignments = rows('assignments').map((r) => ({
          id: idOf(`${r}.id`),
          title: text(values, `${r}.title`),
          description: opt(text(values, `${r}.description`)),
          responsible: text(values, `${r}.responsible`),
          due: dateOf('assignment', idOf(`${r}.id`), text(values, `${r}.due`)),
          goalIds: list(values, `${r}.goalIds`),
          rowIds: list(values, `${r}.rowIds`),
        }));
    }
    // What was removed in this part is no longer linked from the others.
    const present = (name: string) => new Set((doc[name] as { id?: string }[]).map((i) => i.id).filter(Boolean));
    const goals = present('goals');
    const indicators = present('indicators');
    const rowIds = present('rows');
    const keep = (ids: unknown, known: Set<unknown>) => (Array.isArray(ids) ? ids.filter((id) => known.has(id)) : ids);
    for (const ind of doc.indicators as Record<string, unknown>[]) ind.goalIds = keep(ind.goalIds, goals);
    for (const row of doc.rows as Record<string, unknown>[]) {
      row.goalIds = keep(row.goalIds, goals);
      row.indicatorIds = keep(row.indicatorIds, indicators);
    }
    for (const a of doc.assignments as Record<string, unknown>[]) {
      a.goalIds = keep(a.goalIds, goals);
      a.rowIds = keep(a.rowIds, rowIds);
    }
    // Optional fields left empty are left out, as the API's callers would.
    return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
  }

  interface FormState {
    values: Values;
    counter: number;
    blanks?: number;
    errors?: Map<string, string>;
    general?: string[];
    status?: number;
  }

  function sectionPage(request: FastifyRequest, reply: FastifyReply, here: Here, section: Section, state: DraftState, form: FormState) {
    const lang = requestLanguage(request);
    const parts = partsOf(section, state);
    const errors = form.errors ?? new Map<string, string>();
    const values = form.values;
    const shown: Shown[] = [];
    const blanks = Math.max(1, form.blanks ?? 1);
    const areas = allAreas(here.config);
    const areaOptions = areas.map((a) => ({
      value: a.id,
      label: a.parentId ? `${areas.find((x) => x.id === a.parentId)?.label[lang] ?? ''}: ${a.label[lang]}` : a.label[lang],
    }));
    const doc = state.doc;
    const goalOptions = (doc?.goals ?? []).map((g) => ({ value: g.id, label: g.title }));
    const indicatorOptions = (doc?.indicators ?? []).map((i) => ({ value: i.id, label: i.label }));
    const rowOptions = (doc?.rows ?? []).map((r) => ({ value: r.id, label: r.activity }));

    const errorOf = (id: string, message: string | undefined) =>
      message
        ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${message}</p>`
        : '';
    const described = (id: string, hint: boolean, error: boolean) => {
      const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
      return ids ? html` aria-describedby="${ids}"` : '';
    };
    const optionalMark = html` <span class="optional">(${t(lang, 'web.optional')})</span>`;

    interface In {
      key: string;
      label: string;
      kind: 'text' | 'textarea' | 'short' | 'radios' | 'checks' | 'hidden';
      hint?: string;
      optional?: boolean;
      options?: { value: string; label: string }[];
      /** The row the summary names it by ("Mål 2"). */
      row?: string;
    }
    const input = (o: In): SafeHtml => {
      const id = fieldId(o.key);
      if (o.kind === 'hidden') return html`<input type="hidden" name="${o.key}" value="${firstText(values[o.key])}">`;
      shown.push({ key: o.key, id, label: o.row ? `${o.row}: ${o.label}` : o.label });
      const error = errors.get(o.key);
      const hint = o.hint ? html`<p class="help" id="${id}-hint">${o.hint}</p>` : '';
      const invalid = error ? raw(' aria-invalid="true"') : '';
      if (o.kind === 'radios' || o.kind === 'checks') {
        const chosen = new Set(list(values, o.key));
        const type = o.kind === 'radios' ? 'radio' : 'checkbox';
        const choices = (o.options ?? []).map(
          (c, i) =>
            html`<div class="choice"><input type="${type}" id="${id}-${i}" name="${o.key}" value="${c.value}"${chosen.has(c.value) ? raw(' checked') : ''}><label for="${id}-${i}">${c.label}</label></div>`,
        );
        if (choices.length === 0) return html``;
        return html`<fieldset id="${id}" class="choices"${described(id, !!o.hint, !!error)}><legend>${o.label}${o.optional ? optionalMark : ''}</legend>${hint}${errorOf(id, error)}${choices}</fieldset>`;
      }
      const attrs = html`id="${id}" name="${o.key}"${invalid}${described(id, !!o.hint, !!error)}`;
      const control =
        o.kind === 'textarea'
          ? html`<textarea ${attrs} rows="3">${firstText(values[o.key])}</textarea>`
          : html`<input type="text" ${attrs} value="${firstText(values[o.key])}"${o.kind === 'short' ? raw(' class="short"') : ''}>`;
      return html`<div class="field${error ? ' has-error' : ''}"><label for="${id}">${o.label}${o.optional ? optionalMark : ''}</label>${hint}${errorOf(id, error)}${control}</div>`;
    };
    const f = (key: string) => p(lang, `f.${key}`);
    const h = (key: string) => p(lang, `hints.${key}`);

    /** A repeated part: the filled rows, then `blanks` empty ones. */
    const repeated = (
      name: PlanList,
      legend: string,
      rowName: (n: number) => string,
      fields: (r: string, row: string, i: number) => SafeHtml[],
    ) => {
      const count = countOf(values, name) + blanks;
      const rows = Array.from({ length: Math.min(count, MAX_ROWS) }, (_, i) => {
        const filled = i < countOf(values, name);
        const row = filled ? rowName(i + 1) : p(lang, 'newRow', { item: rowName(i + 1) });
        const id = fieldId(`${name}.${i}`);
        shown.push({ key: `${name}.${i}`, id, label: row });
        const error = errors.get(`${name}.${i}`);
        return html`<fieldset class="row" id="${id}"${described(id, false, !!error)}><legend>${row}</legend>${errorOf(id, error)}${fields(`${name}.${i}`, row, i)}</fieldset>`;
      });
      const id = fieldId(name);
      shown.push({ key: name, id, label: legend });
      const error = errors.get(name);
      return html`<fieldset id="${id}" class="rows"${described(id, true, !!error)}><legend>${legend}</legend><p class="help" id="${id}-hint">${p(lang, 'rowsHint')}</p>${errorOf(id, error)}${rows}</fieldset>`;
    };

    const partHtml = (part: Section): SafeHtml => {
      switch (part) {
        case 'title':
          return html`${input({ key: 'title', label: f('title'), kind: 'text' })}${input({ key: 'summary', label: f('summary'), kind: 'textarea', optional: true, hint: h('summary') })}`;
        case 'goals':
          return repeated(
            'goals',
            t(lang, 'plan.goals'),
            (n) => p(lang, 'goalN', { n }),
            (r, row) => [
              input({ key: `${r}.id`, label: '', kind: 'hidden' }),
              input({ key: `${r}.title`, label: f('goal'), kind: 'textarea', row }),
              input({ key: `${r}.description`, label: f('description'), kind: 'textarea', optional: true, row }),
              input({ key: `${r}.horizonYears`, label: f('horizonYears'), kind: 'short', hint: h('horizonYears'), row }),
              input({ key: `${r}.targetYear`, label: f('targetYear'), kind: 'short', hint: h('targetYear'), row }),
              input({ key: `${r}.areaIds`, label: f('areas'), kind: 'checks', optional: true, options: areaOptions, row }),
            ],
          );
        case 'indicators':
          return repeated(
            'indicators',
            t(lang, 'plan.indicators'),
            (n) => p(lang, 'indicatorN', { n }),
            (r, row) => {
              const targetCount = countOf(values, `${r}.targets`) + blanks;
              const targets = Array.from({ length: Math.min(targetCount, MAX_ROWS) }, (_, j) => {
                const legend = p(lang, 'targetN', { n: j + 1 });
                return html`<fieldset class="row"><legend>${legend}</legend>${input({ key: `${r}.targets.${j}.year`, label: f('year'), kind: 'short', row: `${row}, ${legend}` })}${input({ key: `${r}.targets.${j}.value`, label: f('targetValue'), kind: 'short', hint: j === 0 ? h('targetValue') : undefined, row: `${row}, ${legend}` })}</fieldset>`;
              });
              return [
                input({ key: `${r}.id`, label: '', kind: 'hidden' }),
                input({ key: `${r}.label`, label: f('indicator'), kind: 'text', row }),
                input({
                  key: `${r}.kind`,
                  label: f('kind'),
                  kind: 'radios',
                  options: INDICATOR_KINDS.map((k) => ({ value: k, label: p(lang, `kindOptions.${k}`) })),
                  row,
                }),
                input({ key: `${r}.unit`, label: f('unit'), kind: 'short', optional: true, hint: h('unit'), row }),
                input({ key: `${r}.source`, label: f('source'), kind: 'text', optional: true, row }),
                input({
                  key: `${r}.direction`,
                  label: f('direction'),
                  kind: 'radios',
                  optional: true,
                  hint: h('direction'),
                  options: (['increase', 'decrease'] as const).map((d) => ({ value: d, label: p(lang, `directionOptions.${d}`) })),
                  row,
                }),
                input({ key: `${r}.baseline.year`, label: f('baselineYear'), kind: 'short', optional: true, row }),
                input({ key: `${r}.baseline.value`, label: f('baselineValue'), kind: 'short', optional: true, row }),
                html`<fieldset class="rows"><legend>${f('targets')}</legend>${targets}</fieldset>`,
                input({ key: `${r}.goalIds`, label: f('goals'), kind: 'checks', optional: true, options: goalOptions, row }),
              ];
            },
          );
        case 'rows':
          return repeated(
            'rows',
            t(lang, 'plan.rows'),
            (n) => p(lang, 'rowN', { n }),
            (r, row) => [
              input({ key: `${r}.id`, label: '', kind: 'hidden' }),
              input({ key: `${r}.activity`, label: f('activity'), kind: 'textarea', row }),
              input({ key: `${r}.targetGroup`, label: f('targetGroup'), kind: 'text', optional: true, row }),
              input({ key: `${r}.responsible`, label: f('responsible'), kind: 'text', optional: true, row }),
              input({ key: `${r}.timeFrame`, label: f('timeFrame'), kind: 'text', optional: true, hint: h('date'), row }),
              input({
                key: `${r}.indicatorIds`,
                label: t(lang, 'plan.indicators'),
                kind: 'checks',
                optional: true,
                options: indicatorOptions,
                row,
              }),
              input({ key: `${r}.goalIds`, label: f('goals'), kind: 'checks', optional: true, options: goalOptions, row }),
              input({ key: `${r}.cost`, label: f('cost'), kind: 'short', optional: true, hint: t(lang, 'web.kronorHint'), row }),
              input({ key: `${r}.staffHours`, label: f('staffHours'), kind: 'short', optional: true, row }),
            ],
          );
        case 'assignments':
          return repeated(
            'assignments',
            t(lang, 'plan.assignments'),
            (n) => p(lang, 'assignmentN', { n }),
            (r, row) => [
              input({ key: `${r}.id`, label: '', kind: 'hidden' }),
              input({ key: `${r}.title`, label: f('assignment'), kind: 'textarea', row }),
              input({ key: `${r}.description`, label: f('description'), kind: 'textarea', optional: true, row }),
              input({ key: `${r}.responsible`, label: f('responsible'), kind: 'text', row }),
              input({ key: `${r}.due`, label: f('due'), kind: 'text', hint: h('date'), row }),
              input({ key: `${r}.goalIds`, label: f('goals'), kind: 'checks', optional: true, options: goalOptions, row }),
              input({ key: `${r}.rowIds`, label: t(lang, 'plan.rows'), kind: 'checks', optional: true, options: rowOptions, row }),
            ],
          );
      }
    };

    const fields = parts.map(partHtml);
    const problems: Problem[] = shown.flatMap((s) => {
      const message = errors.get(s.key);
      return message ? [{ field: s.id, label: s.label, message }] : [];
    });
    const known = new Set(shown.map((s) => s.key));
    const general = [...(form.general ?? []), ...[...errors].filter(([key]) => !known.has(key)).map(([, message]) => message)];
    const repeating = parts.some((x) => x !== 'title');
    const title = p(lang, `sections.${section}`);
    const action = `/plan/draft/${section}`;
    const body = html`${backLink('/plan/draft', p(lang, 'draftTitle', { version: state.version }))}<h1>${title}</h1>
<p>${p(lang, `help.${section}`)}</p>
<form method="post" action="${action}" novalidate>
${csrfInput(request)}
<input type="hidden" name="_counter" value="${form.counter}">
<input type="hidden" name="_blanks" value="${blanks}">
${errorSummary(lang, 'plan-errors', problems, general)}
${fields}
<div class="button-group"><button type="submit">${p(lang, 'save')}</button>${
      repeating ? html`<button type="submit" name="_add" value="yes" class="secondary">${p(lang, 'addRow')}</button>` : ''
    }<a href="/plan/draft">${p(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status: form.status ?? 200, path: action });
  }

  /** The service's refusal of a draft (`body.goals.3.targetYear`, …) at the form's inputs, in plain words. */
  function draftErrors(lang: Language, error: DomainError, doc: Record<string, unknown>): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of error.details.errors ?? []) {
      const path = e.path.replace(/^body\.?/, '');
      const segments = path.split('.');
      // The input it concerns: a reference (`goals.0.areaIds.1`) is its list of boxes; a row's target its own inputs.
      let key = path;
      const ref = /^(.*\.(?:areaIds|goalIds|indicatorIds|rowIds))\.\d+$/.exec(path);
      if (ref) key = ref[1]!;
      if (/^rows\.\d+\.costOre$/.test(path)) key = path.replace(/costOre$/, 'cost');
      if (/^indicators\.\d+\.baseline$/.test(path)) key = `${path}.year`;
      if (/^(goals|indicators|rows|assignments)\.\d+\.id$/.test(path)) key = segments.slice(0, 2).join('.');
      const generic = key.replace(/\.\d+/g, '');
      const field = generic.split('.').pop()!;
      let message: string;
      if (generic === 'goals') message = p(lang, 'errors.noGoals');
      else if (generic === 'indicators.targets.year' && /two targets/.test(e.message)) message = p(lang, 'errors.targetYearTwice');
      else if (generic === 'indicators.targets.value' || generic === 'indicators.baseline.value') {
        const i = Number(segments[1]);
        const kind = ((doc.indicators as { kind?: string }[] | undefined)?.[i]?.kind ?? '') as string;
        message = p(lang, numeric(kind) ? (kind === 'percentage' ? 'errors.percentage' : 'errors.number') : 'errors.yes');
      } else if (['areaIds', 'goalIds', 'indicatorIds', 'rowIds'].includes(field)) message = p(lang, 'errors.refs');
      else if (/^(goals|indicators|rows|assignments)$/.test(generic.split('.')[0]!) && segments.length === 2)
        message = p(lang, 'errors.row');
      else message = has(lang, `plan.pages.errors.fields.${generic}`) ? p(lang, `errors.fields.${generic}`) : p(lang, 'errors.invalid');
      if (!out.has(key)) out.set(key, message);
    }
    return out;
  }

  pages.get(
    '/plan/draft/:section',
    { schema: { hide: true } },
    guard('edit', (request, reply, actor, here) => {
      const section = sectionOf(request);
      const state = draftState(actor, here);
      return sectionPage(request, reply, here, section, state, {
        values: valuesOf(state.doc, partsOf(section, state)),
        counter: state.counter,
      });
    }),
  );

  pages.post(
    '/plan/draft/:section',
    { schema: { hide: true } },
    guard('edit', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const section = sectionOf(request);
      const posted = (request.body ?? {}) as Values;
      const state = draftState(actor, here);
      const values = compacted(posted);
      const seen = Number(firstText(posted._counter));
      const counter = Number.isInteger(seen) && seen >= 0 ? seen : -1;
      const blanks = Number(firstText(posted._blanks)) || 1;
      if (firstText(posted._add) === 'yes')
        return sectionPage(request, reply, here, section, state, { values, counter, blanks: blanks + 1 });
      const parts = partsOf(section, state);
      const next = documentOf(state.doc, parts, values);
      try {
        plans.saveDraft(actor, here.id, counter, next);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (error.code === 'version-mismatch')
          return sectionPage(request, reply, here, section, state, {
            values,
            counter: state.counter,
            general: [p(lang, 'changedMeanwhile')],
            status: 409,
          });
        if (error.code !== 'validation-failed') throw error;
        return sectionPage(request, reply, here, section, state, { values, counter, errors: draftErrors(lang, error, next), status: 422 });
      }
      return reply.redirect('/plan/draft?done=saved', 303);
    }),
  );

  // ---- adopting the draft ------------------------------------------------------------------

  const ADOPTION = ['adoptedBy', 'reference', 'decisionDate', 'nextRevisionDue'] as const;

  function adoptForm(
    request: FastifyRequest,
    reply: FastifyReply,
    state: DraftState,
    values: Values,
    errors = new Map<string, string>(),
    general: string[] = [],
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const problems: Problem[] = ADOPTION.flatMap((k) => {
      const message = errors.get(k);
      return message ? [{ field: fieldId(k), label: p(lang, `adopt.${k}`), message }] : [];
    });
    const fieldHtml = (k: (typeof ADOPTION)[number]) => {
      const id = fieldId(k);
      const error = errors.get(k);
      const hint = p(lang, `adopt.${k}Hint`);
      return html`<div class="field${error ? ' has-error' : ''}"><label for="${id}">${p(lang, `adopt.${k}`)}</label><p class="help" id="${id}-hint">${hint}</p>${
        error
          ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${error}</p>`
          : ''
      }<input type="text" id="${id}" name="${k}" value="${text(values, k)}" aria-describedby="${id}-hint${error ? ` ${id}-error` : ''}"${error ? raw(' aria-invalid="true"') : ''}${k.endsWith('Due') || k.endsWith('Date') ? raw(' class="short"') : ''}></div>`;
    };
    const title = p(lang, 'adopt.title', { version: state.version });
    const body = html`${backLink('/plan/draft', p(lang, 'draftTitle', { version: state.version }))}<h1>${title}</h1>
<p>${p(lang, 'adopt.intro')}</p>
<form method="post" action="/plan/draft/adopt" novalidate>
${csrfInput(request)}
<input type="hidden" name="_counter" value="${text(values, '_counter') || String(state.counter)}">
${errorSummary(lang, 'plan-errors', problems, general)}
${ADOPTION.map(fieldHtml)}
<div class="button-group"><button type="submit">${p(lang, 'continue')}</button><a href="/plan/draft">${p(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: '/plan/draft/adopt' });
  }

  /** The draft must exist to be adopted; otherwise there is no such page. */
  function savedDraft(actor: Actor, here: Here) {
    const state = draftState(actor, here);
    if (!state.saved || !state.doc) throw new DomainError('not-found', 'no draft');
    return state;
  }

  pages.get(
    '/plan/draft/adopt',
    { schema: { hide: true } },
    guard('edit', (request, reply, actor, here) => adoptForm(request, reply, savedDraft(actor, here), {})),
  );

  pages.post(
    '/plan/draft/adopt',
    { schema: { hide: true } },
    guard('edit', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const state = savedDraft(actor, here);
      const posted = (request.body ?? {}) as Values;
      const values: Values = Object.fromEntries([...ADOPTION, '_counter'].map((k) => [k, text(posted, k)]));
      if (firstText(posted._change) === 'yes') return adoptForm(request, reply, state, values);
      const counter = Number(values._counter);
      const input = Object.fromEntries(ADOPTION.map((k) => [k, text(values, k)]));
      const errors = new Map<string, string>();
      const parsed = adoptionSchema.safeParse(input);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const k = String(issue.path[0]);
          if (!errors.has(k)) errors.set(k, p(lang, text(values, k) === '' ? `adopt.${k}Missing` : 'adopt.notADay'));
        }
      } else {
        const inForce = plans.versions(actor, here.id).items.at(-1);
        if (inForce && parsed.data.decisionDate <= inForce.decisionDate)
          errors.set('decisionDate', p(lang, 'adopt.notAfterInForce', { date: inForce.decisionDate }));
        if (parsed.data.nextRevisionDue <= parsed.data.decisionDate) errors.set('nextRevisionDue', p(lang, 'adopt.revisionBeforeDecision'));
      }
      if (!parsed.success || errors.size > 0) return adoptForm(request, reply, state, values, errors, [], 422);
      if (counter !== state.counter)
        return adoptForm(
          request,
          reply,
          state,
          { ...values, _counter: String(state.counter) },
          new Map(),
          [p(lang, 'changedMeanwhile')],
          409,
        );
      if (firstText(posted._confirm) !== 'yes') {
        const hidden = Object.entries(values).map(([k, v]) => html`<input type="hidden" name="${k}" value="${firstText(v)}">`);
        const title = p(lang, 'adopt.check');
        const body = html`<h1>${title}</h1>
<p>${p(lang, 'adopt.checkIntro', { version: state.version })}</p>
<h2>${p(lang, 'adopt.decision')}</h2>
<dl>${ADOPTION.map((k) => html`<dt>${p(lang, `adopt.${k}`)}</dt><dd>${text(values, k)}</dd>`)}</dl>
<h2>${p(lang, 'adopt.thePlan')}</h2>
<p class="lead">${state.doc!.title}</p>
${documentHtml(lang, here, state.doc!)}
<form method="post" action="/plan/draft/adopt" class="confirm">
${csrfInput(request)}<input type="hidden" name="_confirm" value="yes">${hidden}
<div class="button-group"><button type="submit">${p(lang, 'adopt.confirm', { version: state.version })}</button></div>
</form>
<form method="post" action="/plan/draft/adopt">
${csrfInput(request)}<input type="hidden" name="_change" value="yes">${hidden}
<div class="button-group"><button type="submit" class="secondary">${p(lang, 'adopt.changeDecision')}</button><a href="/plan/draft">${p(lang, 'adopt.backToDraft')}</a></div>
</form>`;
        return sendPage(request, reply, { title, body, path: '/plan/draft/adopt' });
      }
      try {
        plans.adopt(actor, here.id, counter, parsed.data);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        if (error.code === 'version-mismatch' || error.code === 'not-found')
          return adoptForm(request, reply, state, values, new Map(), [p(lang, 'changedMeanwhile')], 409);
        if (error.code !== 'validation-failed') throw error;
        for (const e of error.details.errors ?? []) {
          const k = e.path.replace(/^body\./, '');
          if ((ADOPTION as readonly string[]).includes(k)) errors.set(k, p(lang, 'adopt.refused'));
        }
        return adoptForm(request, reply, state, values, errors, errors.size ? [] : [p(lang, 'adopt.refused')], 422);
      }
      return reply.redirect('/plan?done=adopted', 303);
    }),
  );

  // ---- recording under the plan in force ----------------------------------------------------------

  const itemParam = (request: FastifyRequest, name: string) => {
    const id = firstText((request.params as Record<string, unknown>)[name]);
    if (!ITEM_ID.test(id)) throw new DomainError('not-found', 'no such item');
    return id;
  };

  function indicatorOf(actor: Actor, here: Here, request: FastifyRequest) {
    const id = itemParam(request, 'indicatorId');
    const plan = plans.inForce(actor, here.id);
    const indicator = plan.document.indicators.find((i) => i.id === id);
    if (!indicator) throw new DomainError('not-found', 'no such indicator');
    return indicator;
  }

  function valueForm(
    request: FastifyRequest,
    reply: FastifyReply,
    here: Here,
    ind: PlanIndicator,
    values: Values,
    errors = new Map<string, string>(),
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const action = `/plan/indicators/${ind.id}/value`;
    const keys = ind.kind === 'document' ? ['year', 'title', 'reference', 'note'] : ['year', 'value', 'note'];
    const labels: Record<string, string> = {
      year: p(lang, 'record.year'),
      value: p(lang, ind.kind === 'yes-no' ? 'record.yesNo' : ind.kind === 'percentage' ? 'record.percentage' : 'record.number'),
      title: p(lang, 'record.documentTitle'),
      reference: p(lang, 'record.documentReference'),
      note: p(lang, 'record.note'),
    };
    const optional = new Set(['reference', 'note']);
    const problems: Problem[] = keys.flatMap((k) =>
      errors.get(k) ? [{ field: fieldId(k), label: labels[k]!, message: errors.get(k)! }] : [],
    );
    const errorOf = (id: string, message: string | undefined) =>
      message
        ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${message}</p>`
        : '';
    const mark = (k: string) => (optional.has(k) ? html` <span class="optional">(${t(lang, 'web.optional')})</span>` : '');
    const fieldHtml = (k: string) => {
      const id = fieldId(k);
      const error = errors.get(k);
      const hint =
        k === 'year'
          ? p(lang, 'record.yearHint', { first: here.config.years.first, last: here.config.years.last })
          : k === 'value' && ind.unit
            ? p(lang, 'record.unitHint', { unit: ind.unit })
            : '';
      const aria = html`${hint || error ? html` aria-describedby="${[hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')}"` : ''}${error ? raw(' aria-invalid="true"') : ''}`;
      if (k === 'value' && ind.kind === 'yes-no') {
        const chosen = text(values, 'value');
        return html`<fieldset id="${id}" class="choices"${aria}><legend>${labels[k]}</legend>${errorOf(id, error)}${['yes', 'no'].map(
          (v, i) =>
            html`<div class="choice"><input type="radio" id="${id}-${i}" name="value" value="${v}"${chosen === v ? raw(' checked') : ''}><label for="${id}-${i}">${p(lang, v)}</label></div>`,
        )}</fieldset>`;
      }
      const control =
        k === 'note'
          ? html`<textarea id="${id}" name="${k}" rows="3"${aria}>${text(values, k)}</textarea>`
          : html`<input type="text" id="${id}" name="${k}" value="${text(values, k)}"${aria}${k === 'year' || k === 'value' ? raw(' class="short" inputmode="decimal"') : ''}>`;
      return html`<div class="field${error ? ' has-error' : ''}"><label for="${id}">${labels[k]}${mark(k)}</label>${hint ? html`<p class="help" id="${id}-hint">${hint}</p>` : ''}${errorOf(id, error)}${control}</div>`;
    };
    const title = p(lang, 'record.title');
    const body = html`${backLink('/plan', t(lang, 'plan.title'))}<h1>${title}</h1>
<p class="lead">${ind.label}</p>
<p>${p(lang, 'record.intro', { kind: t(lang, `plan.kinds.${ind.kind}`) })}</p>
<form method="post" action="${action}" novalidate>
${csrfInput(request)}
${errorSummary(lang, 'plan-errors', problems)}
${keys.map(fieldHtml)}
<div class="button-group"><button type="submit">${p(lang, 'record.save')}</button><a href="/plan">${p(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: action });
  }

  pages.get(
    '/plan/indicators/:indicatorId/value',
    { schema: { hide: true } },
    guard('record', (request, reply, actor, here) =>
      valueForm(request, reply, here, indicatorOf(actor, here, request), { year: today().slice(0, 4) }),
    ),
  );

  pages.post(
    '/plan/indicators/:indicatorId/value',
    { schema: { hide: true } },
    guard('record', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const ind = indicatorOf(actor, here, request);
      const posted = (request.body ?? {}) as Values;
      const values: Values = Object.fromEntries(['year', 'value', 'title', 'reference', 'note'].map((k) => [k, text(posted, k)]));
      const errors = new Map<string, string>();
      const year = numberOf(text(values, 'year'));
      if (typeof year !== 'number' || !Number.isInteger(year)) errors.set('year', p(lang, 'record.yearMissing'));
      let value: unknown;
      if (ind.kind === 'document') {
        if (!text(values, 'title')) errors.set('title', p(lang, 'record.titleMissing'));
        value = { title: text(values, 'title'), ...(text(values, 'reference') ? { reference: text(values, 'reference') } : {}) };
      } else if (ind.kind === 'yes-no') {
        const v = text(values, 'value');
        if (v !== 'yes' && v !== 'no') errors.set('value', p(lang, 'record.chooseYesNo'));
        value = v === 'yes';
      } else {
        value = numberOf(text(values, 'value'));
        if (typeof value !== 'number') errors.set('value', p(lang, ind.kind === 'percentage' ? 'errors.percentage' : 'errors.number'));
        else if (ind.kind === 'percentage' && (value < 0 || value > 100)) errors.set('value', p(lang, 'errors.percentage'));
      }
      if (errors.size > 0) return valueForm(request, reply, here, ind, values, errors, 422);
      try {
        plans.recordValue(actor, here.id, ind.id, { year, value, ...(text(values, 'note') ? { note: text(values, 'note') } : {}) });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        for (const e of error.details.errors ?? []) {
          const path = e.path.replace(/^body\./, '');
          if (path === 'year')
            errors.set('year', p(lang, 'record.yearOutside', { first: here.config.years.first, last: here.config.years.last }));
          else if (path.startsWith('value.title')) errors.set('title', p(lang, 'record.titleMissing'));
          else if (path === 'note') errors.set('note', p(lang, 'errors.invalid'));
          else errors.set(ind.kind === 'document' ? 'title' : 'value', p(lang, 'errors.invalid'));
        }
        return valueForm(request, reply, here, ind, values, errors, 422);
      }
      return reply.redirect('/plan?done=value', 303);
    }),
  );

  function assignmentOf(actor: Actor, here: Here, request: FastifyRequest) {
    const id = itemParam(request, 'assignmentId');
    const assignment = plans.inForce(actor, here.id).document.assignments.find((a) => a.id === id);
    if (!assignment) throw new DomainError('not-found', 'no such assignment');
    return assignment;
  }

  function statusForm(
    request: FastifyRequest,
    reply: FastifyReply,
    assignment: { id: string; title: string; due: DateRange; status: string },
    values: Values,
    errors = new Map<string, string>(),
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const action = `/plan/assignments/${assignment.id}/status`;
    const problems: Problem[] = [
      ...(errors.get('status') ? [{ field: fieldId('status'), label: p(lang, 'status'), message: errors.get('status')! }] : []),
      ...(errors.get('note') ? [{ field: fieldId('note'), label: p(lang, 'record.note'), message: errors.get('note')! }] : []),
    ];
    const chosen = text(values, 'status');
    const err = (k: string) =>
      errors.get(k)
        ? html`<p class="field-error" id="${fieldId(k)}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${errors.get(k)}</p>`
        : '';
    const title = p(lang, 'statusTitle');
    const body = html`${backLink('/plan', t(lang, 'plan.title'))}<h1>${title}</h1>
<p class="lead">${assignment.title}</p>
<p>${p(lang, 'statusIntro', { due: rangeText(assignment.due), status: t(lang, `plan.statuses.${assignment.status}`) })}</p>
<form method="post" action="${action}" novalidate>
${csrfInput(request)}
${errorSummary(lang, 'plan-errors', problems)}
<fieldset id="${fieldId('status')}" class="choices"${errors.get('status') ? html` aria-describedby="${fieldId('status')}-error"` : ''}><legend>${p(lang, 'status')}</legend>${err('status')}${ASSIGNMENT_STATUSES.map(
      (s, i) =>
        html`<div class="choice"><input type="radio" id="${fieldId('status')}-${i}" name="status" value="${s}"${chosen === s ? raw(' checked') : ''}><label for="${fieldId('status')}-${i}">${t(lang, `plan.statuses.${s}`)}</label></div>`,
    )}</fieldset>
<div class="field${errors.get('note') ? ' has-error' : ''}"><label for="${fieldId('note')}">${p(lang, 'record.note')} <span class="optional">(${t(lang, 'web.optional')})</span></label>${err('note')}<textarea id="${fieldId('note')}" name="note" rows="3">${text(values, 'note')}</textarea></div>
<div class="button-group"><button type="submit">${p(lang, 'saveStatus')}</button><a href="/plan">${p(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: action });
  }

  pages.get(
    '/plan/assignments/:assignmentId/status',
    { schema: { hide: true } },
    guard('record', (request, reply, actor, here) => {
      const assignment = assignmentOf(actor, here, request);
      return statusForm(request, reply, assignment, { status: assignment.status });
    }),
  );

  pages.post(
    '/plan/assignments/:assignmentId/status',
    { schema: { hide: true } },
    guard('record', (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const assignment = assignmentOf(actor, here, request);
      const posted = (request.body ?? {}) as Values;
      const values: Values = { status: text(posted, 'status'), note: text(posted, 'note') };
      const errors = new Map<string, string>();
      if (!(ASSIGNMENT_STATUSES as readonly string[]).includes(text(values, 'status'))) errors.set('status', p(lang, 'chooseStatus'));
      if (text(values, 'note').length > 2000) errors.set('note', t(lang, 'validation.maxLength', { max: 2000 }));
      if (errors.size > 0) return statusForm(request, reply, assignment, values, errors, 422);
      plans.changeAssignmentStatus(actor, here.id, assignment.id, {
        status: text(values, 'status'),
        ...(text(values, 'note') ? { note: text(values, 'note') } : {}),
      });
      return reply.redirect('/plan?done=status', 303);
    }),
  );
};
