import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../../machines/roles.js';
import type { CaseService } from '../../cases/service.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import { isoDate, motivationText, ore, poolKind, positiveOre, referenceText } from '../../money/common.js';
import { formatOre } from '../../money/format.js';
import { DISTRIBUTION_SCOPES, distributionSchema, type AdjustmentView, type DistributionView } from '../../money/pool-changes.js';
import type { Money, PoolView } from '../../money/service.js';
import { rolesIn, type Actor } from '../../people/actor.js';
import type { PeopleService } from '../../people/service.js';
import { allAreas, type ProgrammeConfig } from '../../programmes/config.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { dateTime } from '../../web/dates.js';
import {
  errorSummary,
  firstText,
  formErrors,
  parseForm,
  renderFields,
  type FieldHints,
  type FormContext,
  type FormErrors,
  type FormValues,
} from '../../web/forms.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { backLink, notice, errorSummary as problemSummary, type Problem } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The money pages of the programme the pages work in: its pools per year with every figure,
 * one pool with its corrections, carry-overs and distributions; for its administrators the
 * forms that correct a pool, carry money over to the next year and distribute a pool between
 * county-wide, sub-regional and local purposes, each with a page to check the answers before
 * anything is recorded. And a case's money: what it was granted, paid, repaid and released,
 * with the form the county coordinators and finance record it with.
 * Everything goes through the money service, as the API does.
 */

export interface MoneyPageDeps {
  money: Pick<
    Money,
    | 'pools'
    | 'createPool'
    | 'poolDetail'
    | 'adjustments'
    | 'correctPool'
    | 'carryOver'
    | 'distributePool'
    | 'caseMoney'
    | 'recordPayment'
    | 'recordRepayment'
    | 'releaseCommitment'
  >;
  cases: Pick<CaseService, 'get'>;
  people: Pick<PeopleService, 'displayNames'>;
  programmes: Pick<ProgrammeService, 'get'>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MONEY_KEEPERS: Role[] = ['county-coordinator', 'finance'];

/** The forms' own schemas (amounts typed in kronor, kept in öre); the service checks the rest again. */
const correctionForm = z
  .object({
    changeOre: z.number().int().min(-1e13).max(1e13),
    motivation: motivationText,
    reference: referenceText.optional(),
  })
  .strict();
const carryOverForm = z
  .object({
    fromYear: z.number().int().min(2000).max(2100),
    kind: poolKind,
    amountOre: positiveOre,
    reference: referenceText,
    motivation: motivationText,
    decidedAt: isoDate.optional(),
  })
  .strict();
/** A distribution's lines as the form has them: a sub-region typed, a municipality chosen. */
const LINE_FIELDS = ['scope', 'subRegion', 'municipality', 'priorityAreaId', 'amountOre'] as const;
type LineField = (typeof LINE_FIELDS)[number];
const MAX_LINES = 200;
const distributionForm = z
  .object({
    decidedBy: distributionSchema.shape.decidedBy,
    decisionDate: isoDate,
    reference: referenceText,
    motivation: motivationText.optional(),
    lines: z
      .array(
        z
          .object({
            scope: z.enum(DISTRIBUTION_SCOPES),
            subRegion: z.string().trim().max(100).optional(),
            municipality: z.string().trim().max(100).optional(),
            priorityAreaId: z.string().min(1).max(64).optional(),
            amountOre: positiveOre,
          })
          .strict(),
      )
      .min(1)
      .max(MAX_LINES),
  })
  .strict();
const distributionHead = distributionForm.omit({ lines: true });
const distributionLines = distributionForm.pick({ lines: true });
const HEAD_FIELDS = ['decidedBy', 'decisionDate', 'reference', 'motivation'] as const;
type FormLine = z.infer<typeof distributionForm>['lines'][number];
/** Who a line's money goes to, as the service reads it. */
const recipientOf = (l: FormLine) =>
  l.scope === 'county' ? '' : l.scope === 'sub-regional' ? (l.subRegion ?? '') : (l.municipality ?? '');
const MOVEMENTS = ['payment', 'repayment', 'release'] as const;
type MovementKind = (typeof MOVEMENTS)[number];
const movementForm = z
  .object({
    kind: z.enum(MOVEMENTS),
    line: z.string().min(1).max(20),
    amountOre: positiveOre,
    date: isoDate,
    reference: referenceText.optional(),
    motivation: motivationText.optional(),
  })
  .strict();

/** The posted fields of a form, without its own (`_csrf`, `_confirm`, …). */
const formFields = (body: unknown): FormValues =>
  Object.fromEntries(
    Object.entries(body && typeof body === 'object' ? (body as Record<string, unknown>) : {})
      .filter(([k, v]) => !k.startsWith('_') && typeof v === 'string')
      .map(([k, v]) => [k, v as string]),
  );
const flag = (body: unknown, name: string) => firstText((body as Record<string, unknown> | undefined)?.[name]) === 'yes';

export const moneyPages: FastifyPluginAsync<MoneyPageDeps> = async (pages, { money, cases, people, programmes }) => {
  interface Here {
    id: string;
    name: string;
    admin: boolean;
  }

  /** Runs a handler for a programme role of the programme the pages work in (not a plain initiator). */
  const programmeRole = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, here: Here) => unknown, adminOnly = false) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.some((r) => r !== 'initiator')) return errorPage(request, reply, 403);
      const admin = programme.roles.includes('administrator');
      if (adminOnly && !admin) return errorPage(request, reply, 403);
      const name = programmes.get(programme.id)?.name[requestLanguage(request)] ?? '';
      return handler(request, reply, actor, { id: programme.id, name, admin });
    });

  const m = (lang: Language, key: string, params?: Record<string, string | number>) => t(lang, `money.${key}`, params);
  const kr = (lang: Language, ore: number) => formatOre(ore, lang);
  const csrfInput = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;
  const poolName = (lang: Language, year: number, kind: string) => m(lang, `poolOf.${kind}`, { year });
  const namesOf = (ids: string[]) => people.displayNames([...new Set(ids)]);

  function poolOf(here: Here, request: FastifyRequest): PoolView {
    const id = (request.params as { poolId?: unknown }).poolId;
    if (typeof id !== 'string' || !UUID.test(id)) throw new DomainError('not-found', 'no such pool');
    const pool = money.pools(here.id).find((p) => p.id === id);
    if (!pool) throw new DomainError('not-found', 'no such pool');
    return pool;
  }

  /** Every figure of a pool, as a list. */
  function figures(lang: Language, pool: PoolView): SafeHtml {
    const rows: [string, number][] = [
      ['initial', pool.initialAmountOre],
      ['corrections', pool.correctionsOre],
      ['carriedIn', pool.carriedInOre],
      ['carriedOut', pool.carriedOutOre],
      ['amount', pool.amountOre],
      ['committed', pool.committedOre],
      ['released', pool.releasedOre],
      ['repaid', pool.repaidOre],
      ['paid', pool.paidOre],
      ['unpaid', pool.unpaidOre],
      ['remaining', pool.remainingOre],
    ];
    return html`<dl>${rows.map(([key, ore]) => html`<dt>${m(lang, `figures.${key}`)}</dt><dd data-field="${key}Ore" data-ore="${ore}">${kr(lang, ore)}</dd>`)}</dl>
${pool.overdrawn ? html`<p class="alert">${m(lang, 'figures.overdrawn')}</p>` : ''}`;
  }

  function adjustmentsTable(lang: Language, items: (AdjustmentView & { year: number; pool: string })[], withPool: boolean): SafeHtml {
    if (items.length === 0) return html`<p>${m(lang, 'noAdjustments')}</p>`;
    const names = namesOf(items.map((a) => a.createdBy));
    const what = (a: AdjustmentView) =>
      a.kind === 'correction' ? m(lang, 'adjustment.correction') : m(lang, `adjustment.${a.kind}`, { year: a.counterpartYear ?? '' });
    return html`<table>
<caption class="visually-hidden">${m(lang, 'adjustments')}</caption>
<thead><tr><th scope="col">${m(lang, 'columns.when')}</th>${withPool ? html`<th scope="col">${m(lang, 'columns.pool')}</th>` : ''}<th scope="col">${m(lang, 'columns.what')}</th><th scope="col">${m(lang, 'columns.amount')}</th><th scope="col">${m(lang, 'columns.why')}</th><th scope="col">${m(lang, 'columns.reference')}</th><th scope="col">${m(lang, 'columns.who')}</th></tr></thead>
<tbody>${items.map(
      (a) =>
        html`<tr><td>${dateTime(lang, a.createdAt)}</td>${withPool ? html`<td>${poolName(lang, a.year, a.pool)}</td>` : ''}<td>${what(a)}</td><td>${kr(lang, a.amountOre)}</td><td class="text">${a.motivation}</td><td>${a.reference ?? '–'}</td><td>${names.get(a.createdBy) ?? '–'}</td></tr>`,
    )}</tbody>
</table>`;
  }

  function distributionTable(lang: Language, programmeId: string, d: DistributionView): SafeHtml {
    const areas = new Map(allAreas(programmes.get(programmeId)!).map((a) => [a.id, a.label[lang]]));
    return html`<table>
<caption>${m(lang, 'distribution.decided', { by: d.decidedBy, date: d.decisionDate, reference: d.reference })}</caption>
<thead><tr><th scope="col">${m(lang, 'distribution.scope')}</th><th scope="col">${m(lang, 'distribution.recipient')}</th><th scope="col">${m(lang, 'distribution.area')}</th><th scope="col">${m(lang, 'columns.amount')}</th></tr></thead>
<tbody>${d.lines.map(
      (l) =>
        html`<tr><td>${m(lang, `scopes.${l.scope}`)}</td><td>${l.recipient || '–'}</td><td>${l.priorityAreaId ? (areas.get(l.priorityAreaId) ?? '–') : '–'}</td><td>${kr(lang, l.amountOre)}</td></tr>`,
    )}</tbody>
</table>
${d.motivation ? html`<p class="text">${d.motivation}</p>` : ''}
<dl>${d.byScope.map((s) => html`<dt>${m(lang, `scopes.${s.scope}`)}</dt><dd>${kr(lang, s.amountOre)}</dd>`)}</dl>`;
  }

  // ---- the programme's money ------------------------------------------------------------

  pages.get(
    '/money',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => {
      const lang = requestLanguage(request);
      const pools = money.pools(here.id);
      const years = [...new Set(pools.map((p) => p.year))];
      const done = firstText((request.query as Record<string, unknown>).done);
      const body = html`${notice(done === 'carried' ? m(lang, 'carry.done') : done === 'created' ? m(lang, 'newPool.done') : undefined)}<h1>${m(lang, 'title', { programme: here.name })}</h1>
<p>${m(lang, 'intro')}</p>
${here.admin ? html`<ul class="links"><li><a href="/money/pools/new">${m(lang, 'newPool.link')}</a></li>${pools.length > 0 ? html`<li><a href="/money/carry-over">${m(lang, 'carry.link')}</a></li>` : ''}</ul>` : ''}
${pools.length === 0 ? html`<p>${m(lang, 'noPools')}</p>` : ''}
${years.map(
  (year) => html`<section aria-labelledby="year-${year}"><h2 id="year-${year}">${year}</h2>
${pools
  .filter((p) => p.year === year)
  .map((p) => html`<h3><a href="/money/pools/${p.id}">${poolName(lang, p.year, p.kind)}</a></h3>${figures(lang, p)}`)}</section>`,
)}
<section aria-labelledby="adjustments"><h2 id="adjustments">${m(lang, 'adjustments')}</h2>${adjustmentsTable(lang, money.adjustments(here.id), true)}</section>`;
      return sendPage(request, reply, { title: m(lang, 'title', { programme: here.name }), body });
    }),
  );

  pages.get(
    '/money/pools/:poolId',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => {
      const lang = requestLanguage(request);
      const pool = poolOf(here, request);
      const detail = money.poolDetail(here.id, pool.id);
      const areas = new Map(allAreas(programmes.get(here.id)!).map((a) => [a.id, a.label[lang]]));
      const done = firstText((request.query as Record<string, unknown>).done);
      const title = poolName(lang, pool.year, pool.kind);
      const body = html`${backLink('/money', m(lang, 'title', { programme: here.name }))}${notice(done === 'corrected' ? m(lang, 'correct.done') : done === 'distributed' ? m(lang, 'distribute.done') : undefined)}<h1>${title}</h1>
<p class="meta">${pool.name}</p>
${figures(lang, pool)}
${here.admin ? html`<p><a class="button" href="/money/pools/${pool.id}/correction">${m(lang, 'correct.link')}</a></p>` : ''}
${
  pool.earmarks.length
    ? html`<h2>${m(lang, 'earmarks')}</h2><ul>${pool.earmarks.map(
        (e) =>
          html`<li>${m(lang, 'earmark', { area: areas.get(e.priorityAreaId) ?? e.priorityAreaId, amount: kr(lang, e.amountOre), committed: kr(lang, e.committedOre) })}</li>`,
      )}</ul>`
    : ''
}
<section aria-labelledby="adjustments"><h2 id="adjustments">${m(lang, 'adjustments')}</h2>${adjustmentsTable(
        lang,
        detail.adjustments.map((a) => ({ ...a, year: pool.year, pool: pool.kind })),
        false,
      )}</section>
<section aria-labelledby="distribution"><h2 id="distribution">${m(lang, 'distribution.title')}</h2>
${
  detail.distribution
    ? html`${distributionTable(lang, here.id, detail.distribution)}<p>${m(lang, 'distribution.undistributed', { amount: kr(lang, detail.undistributedOre) })}</p>`
    : html`<p>${m(lang, 'distribution.none')}</p>`
}
${here.admin ? html`<p><a class="button" href="/money/pools/${pool.id}/distribution">${m(lang, 'distribute.link')}</a></p>` : ''}
${
  detail.earlierDistributions.length
    ? html`<h3>${m(lang, 'distribution.earlier')}</h3>${detail.earlierDistributions.map((d) => distributionTable(lang, here.id, d))}`
    : ''
}</section>`;
      return sendPage(request, reply, { title, body });
    }),
  );

  // ---- forms with a check of the answers ---------------------------------------------------

  interface CheckedForm {
    request: FastifyRequest;
    reply: FastifyReply;
    action: string;
    title: string;
    intro: string;
    values: FormValues;
    /** The answers as the person reads them. */
    answers: [string, string][];
    /** More of what will be recorded, after the answers (a table of lines). */
    more?: SafeHtml;
    confirm: string;
    cancelHref: string;
  }

  /** "Check your answers": what will be recorded, a button that records it and one that goes back to change it. */
  function checkPage(o: CheckedForm) {
    const lang = requestLanguage(o.request);
    const hidden = Object.entries(o.values).map(([k, v]) => html`<input type="hidden" name="${k}" value="${firstText(v)}">`);
    const body = html`<h1>${o.title}</h1>
<p>${o.intro}</p>
<dl>${o.answers.map(([label, value]) => html`<dt>${label}</dt><dd class="text">${value}</dd>`)}</dl>
${o.more ?? ''}
<form method="post" action="${o.action}" class="confirm">
${csrfInput(o.request)}<input type="hidden" name="_confirm" value="yes">${hidden}
<div class="button-group"><button type="submit">${o.confirm}</button></div>
</form>
<form method="post" action="${o.action}">
${csrfInput(o.request)}<input type="hidden" name="_change" value="yes">${hidden}
<div class="button-group"><button type="submit" class="secondary">${m(lang, 'change')}</button><a href="${o.cancelHref}">${m(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(o.request, o.reply, { title: o.title, body, path: o.action });
  }

  interface FormPage {
    request: FastifyRequest;
    reply: FastifyReply;
    action: string;
    title: string;
    intro: SafeHtml | string;
    back: [string, string];
    schema: z.ZodType;
    hints: Record<string, FieldHints>;
    values: FormValues;
    errors?: FormErrors;
    general?: string[];
    button: string;
    status?: number;
  }

  function formPage(o: FormPage) {
    const lang = requestLanguage(o.request);
    const ctx: FormContext = {
      lang,
      hints: o.hints,
      values: { ...o.values },
      errors: o.errors ?? new Map(),
      idPrefix: 'money',
      rendered: new Set(),
    };
    const fields = renderFields(ctx, o.schema);
    const body = html`${backLink(o.back[0], o.back[1])}<h1>${o.title}</h1>
<p>${o.intro}</p>
<form method="post" action="${o.action}" novalidate>
${csrfInput(o.request)}
${errorSummary(ctx, o.general)}
${fields}
<div class="button-group"><button type="submit">${o.button}</button><a href="${o.back[0]}">${m(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(o.request, o.reply, { title: o.title, body, status: o.status ?? 200, path: o.action });
  }

  /** A form's posted values parsed with its schema: the data, or the errors by field. */
  function parsedForm<T extends z.ZodType>(lang: Language, schema: T, values: FormValues, hints: Record<string, FieldHints>) {
    const { payload, rows } = parseForm(schema, values, hints);
    const result = schema.safeParse(payload);
    return result.success
      ? { data: result.data as z.infer<T>, errors: new Map() as FormErrors }
      : { data: undefined, errors: formErrors(lang, schema, result.error.issues, payload, hints, rows) };
  }

  // ---- a correction of a pool -------------------------------------------------------------

  const correctionHints = (lang: Language): Record<string, FieldHints> => ({
    changeOre: { money: true, label: m(lang, 'correct.change'), help: m(lang, 'correct.changeHint') },
    motivation: { label: m(lang, 'motivation'), help: m(lang, 'correct.motivationHint') },
    reference: { label: m(lang, 'correct.reference'), help: m(lang, 'correct.referenceHint') },
  });

  const correctionPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    here: Here,
    pool: PoolView,
    values: FormValues,
    errors?: FormErrors,
    general?: string[],
    status?: number,
  ) => {
    const lang = requestLanguage(request);
    return formPage({
      request,
      reply,
      action: `/money/pools/${pool.id}/correction`,
      title: m(lang, 'correct.title', { pool: poolName(lang, pool.year, pool.kind) }),
      intro: m(lang, 'correct.intro', { amount: kr(lang, pool.amountOre) }),
      back: [`/money/pools/${pool.id}`, poolName(lang, pool.year, pool.kind)],
      schema: correctionForm,
      hints: correctionHints(lang),
      values,
      errors,
      general,
      button: m(lang, 'continue'),
      status,
    });
  };

  pages.get(
    '/money/pools/:poolId/correction',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => correctionPage(request, reply, here, poolOf(here, request), {}), true),
  );

  pages.post(
    '/money/pools/:poolId/correction',
    { schema: { hide: true } },
    programmeRole((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const pool = poolOf(here, request);
      const values = formFields(request.body);
      if (flag(request.body, '_change')) return correctionPage(request, reply, here, pool, values);
      const hints = correctionHints(lang);
      const { data, errors } = parsedForm(lang, correctionForm, values, hints);
      if (data && data.changeOre === 0) errors.set('changeOre', m(lang, 'correct.noChange'));
      if (data && pool.amountOre + data.changeOre < 0)
        errors.set('changeOre', m(lang, 'correct.belowZero', { amount: kr(lang, pool.amountOre) }));
      if (!data || errors.size > 0) return correctionPage(request, reply, here, pool, values, errors, [], 422);
      if (!flag(request.body, '_confirm')) {
        return checkPage({
          request,
          reply,
          action: `/money/pools/${pool.id}/correction`,
          title: m(lang, 'correct.check'),
          intro: m(lang, 'correct.checkIntro'),
          values,
          answers: [
            [m(lang, 'columns.pool'), poolName(lang, pool.year, pool.kind)],
            [m(lang, 'correct.now'), kr(lang, pool.amountOre)],
            [m(lang, 'correct.change'), kr(lang, data.changeOre)],
            [m(lang, 'correct.after'), kr(lang, pool.amountOre + data.changeOre)],
            [m(lang, 'motivation'), data.motivation],
            [m(lang, 'correct.reference'), data.reference ?? '–'],
          ],
          confirm: m(lang, 'correct.confirm'),
          cancelHref: `/money/pools/${pool.id}`,
        });
      }
      try {
        money.correctPool(here.id, actor.id, pool.id, {
          amountOre: data.changeOre,
          motivation: data.motivation,
          reference: data.reference,
        });
      } catch (error) {
        // The pool changed while the form was open (another correction, a carry-over): show it as it is now.
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        return correctionPage(request, reply, here, poolOf(here, request), values, new Map(), [m(lang, 'changedMeanwhile')], 409);
      }
      return reply.redirect(`/money/pools/${pool.id}?done=corrected`, 303);
    }, true),
  );

  // ---- a new pool ---------------------------------------------------------------------------

  /** The form of a new pool: an earmark per top-level area, each optional (`earmark<i>`, never the area's id). */
  const newPoolFormOf = (config: ProgrammeConfig) =>
    z
      .object({
        year: z.number().int().min(config.years.first).max(config.years.last),
        kind: poolKind,
        name: z.string().trim().min(1).max(200),
        amountOre: ore,
        ...Object.fromEntries(config.priorityAreas.map((_, i) => [`earmark${i}`, positiveOre.optional()])),
      })
      .strict();

  const newPoolHints = (lang: Language, here: Here): Record<string, FieldHints> => {
    const config = programmes.get(here.id)!;
    return {
      year: { label: m(lang, 'newPool.year'), help: m(lang, 'newPool.yearHint', { first: config.years.first, last: config.years.last }) },
      kind: { label: m(lang, 'newPool.kind'), options: poolKind.options.map((k) => ({ value: k, label: m(lang, `kinds.${k}`) })) },
      name: { label: m(lang, 'newPool.name'), help: m(lang, 'newPool.nameHint') },
      amountOre: { money: true, label: m(lang, 'newPool.amount') },
      ...Object.fromEntries(
        config.priorityAreas.map((a, i) => [
          `earmark${i}`,
          {
            money: true,
            label: m(lang, 'newPool.earmark', { area: a.label[lang] }),
            help: i === 0 ? m(lang, 'newPool.earmarkHint') : undefined,
          },
        ]),
      ),
    };
  };

  const newPoolPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    here: Here,
    values: FormValues,
    errors?: FormErrors,
    general?: string[],
    status?: number,
  ) => {
    const lang = requestLanguage(request);
    return formPage({
      request,
      reply,
      action: '/money/pools/new',
      title: m(lang, 'newPool.title'),
      intro: m(lang, 'newPool.intro'),
      back: ['/money', m(lang, 'title', { programme: here.name })],
      schema: newPoolFormOf(programmes.get(here.id)!),
      hints: newPoolHints(lang, here),
      values,
      errors,
      general,
      button: m(lang, 'continue'),
      status,
    });
  };

  pages.get(
    '/money/pools/new',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => {
      // The first of the programme's years without a state grant pool, as a start.
      const { first, last } = programmes.get(here.id)!.years;
      const taken = new Set(
        money
          .pools(here.id)
          .filter((p) => p.kind === 'state')
          .map((p) => p.year),
      );
      const next = Array.from({ length: last - first + 1 }, (_, i) => first + i).find((y) => !taken.has(y)) ?? last;
      return newPoolPage(request, reply, here, { year: String(next), kind: 'state' });
    }, true),
  );

  pages.post(
    '/money/pools/new',
    { schema: { hide: true } },
    programmeRole((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const config = programmes.get(here.id)!;
      const values = formFields(request.body);
      if (flag(request.body, '_change')) return newPoolPage(request, reply, here, values);
      const schema = newPoolFormOf(config);
      const { data, errors } = parsedForm(lang, schema, values, newPoolHints(lang, here));
      if (!data || errors.size > 0) return newPoolPage(request, reply, here, values, errors, [], 422);
      const form = data as Record<string, unknown> & { year: number; kind: 'state' | 'joint'; name: string; amountOre: number };
      const earmarks = config.priorityAreas.flatMap((a, i) => {
        const amount = form[`earmark${i}`] as number | undefined;
        return amount ? [{ priorityAreaId: a.id, label: a.label[lang], amountOre: amount }] : [];
      });
      if (money.pools(here.id, form.year).some((p) => p.kind === form.kind)) {
        errors.set('kind', m(lang, 'newPool.exists', { year: form.year }));
      }
      const earmarked = earmarks.reduce((sum, e) => sum + e.amountOre, 0);
      if (earmarked > form.amountOre) errors.set('earmark0', m(lang, 'newPool.earmarksOver', { amount: kr(lang, earmarked) }));
      if (errors.size > 0) return newPoolPage(request, reply, here, values, errors, [], 422);
      const input = {
        year: form.year,
        kind: form.kind,
        name: form.name,
        amountOre: form.amountOre,
        earmarks: earmarks.map(({ priorityAreaId, amountOre }) => ({ priorityAreaId, amountOre })),
      };
      if (!flag(request.body, '_confirm')) {
        return checkPage({
          request,
          reply,
          action: '/money/pools/new',
          title: m(lang, 'newPool.check'),
          intro: m(lang, 'newPool.checkIntro'),
          values,
          answers: [
            [m(lang, 'newPool.year'), String(form.year)],
            [m(lang, 'newPool.kind'), m(lang, `kinds.${form.kind}`)],
            [m(lang, 'newPool.name'), form.name],
            [m(lang, 'newPool.amount'), kr(lang, form.amountOre)],
            ...earmarks.map((e): [string, string] => [m(lang, 'newPool.earmark', { area: e.label }), kr(lang, e.amountOre)]),
          ],
          confirm: m(lang, 'newPool.confirm'),
          cancelHref: '/money',
        });
      }
      try {
        money.createPool(here.id, actor.id, input);
      } catch (error) {
        if (!(error instanceof DomainError) || (error.code !== 'validation-failed' && error.code !== 'conflict')) throw error;
        // Set up meanwhile by someone else (the page checked everything else before).
        return newPoolPage(request, reply, here, values, new Map(), [m(lang, 'changedMeanwhile')], 409);
      }
      return reply.redirect('/money?done=created', 303);
    }, true),
  );

  // ---- a carry-over to the next year ----------------------------------------------------------

  const carryHints = (lang: Language, pools: PoolView[]): Record<string, FieldHints> => ({
    fromYear: {
      label: m(lang, 'carry.fromYear'),
      options: [...new Set(pools.map((p) => p.year))].map((y) => ({ value: String(y), label: String(y) })),
    },
    kind: { label: m(lang, 'carry.kind'), options: poolKind.options.map((k) => ({ value: k, label: m(lang, `kinds.${k}`) })) },
    amountOre: { money: true, label: m(lang, 'carry.amount'), help: m(lang, 'carry.amountHint') },
    reference: { label: m(lang, 'carry.reference'), help: m(lang, 'carry.referenceHint') },
    motivation: { label: m(lang, 'motivation') },
    decidedAt: { label: m(lang, 'carry.decidedAt') },
  });

  const carryPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    here: Here,
    values: FormValues,
    errors?: FormErrors,
    general?: string[],
    status?: number,
  ) => {
    const lang = requestLanguage(request);
    return formPage({
      request,
      reply,
      action: '/money/carry-over',
      title: m(lang, 'carry.title'),
      intro: m(lang, 'carry.intro'),
      back: ['/money', m(lang, 'title', { programme: here.name })],
      schema: carryOverForm,
      hints: carryHints(lang, money.pools(here.id)),
      values,
      errors,
      general,
      button: m(lang, 'continue'),
      status,
    });
  };

  pages.get(
    '/money/carry-over',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => carryPage(request, reply, here, {}), true),
  );

  pages.post(
    '/money/carry-over',
    { schema: { hide: true } },
    programmeRole((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const values = formFields(request.body);
      if (flag(request.body, '_change')) return carryPage(request, reply, here, values);
      const pools = money.pools(here.id);
      const { data, errors } = parsedForm(lang, carryOverForm, values, carryHints(lang, pools));
      const from = data && pools.find((p) => p.year === data.fromYear && p.kind === data.kind);
      const to = data && pools.find((p) => p.year === data.fromYear + 1 && p.kind === data.kind);
      if (data && !from) errors.set('fromYear', m(lang, 'carry.noPool', { pool: poolName(lang, data.fromYear, data.kind) }));
      else if (data && !to) errors.set('fromYear', m(lang, 'carry.noNextPool', { pool: poolName(lang, data.fromYear + 1, data.kind) }));
      else if (data && from && data.amountOre > from.remainingOre)
        errors.set('amountOre', m(lang, 'carry.overRemaining', { amount: kr(lang, Math.max(0, from.remainingOre)) }));
      if (!data || !from || !to || errors.size > 0) return carryPage(request, reply, here, values, errors, [], 422);
      if (!flag(request.body, '_confirm')) {
        return checkPage({
          request,
          reply,
          action: '/money/carry-over',
          title: m(lang, 'carry.check'),
          intro: m(lang, 'carry.checkIntro'),
          values,
          answers: [
            [m(lang, 'carry.from'), poolName(lang, from.year, from.kind)],
            [m(lang, 'carry.to'), poolName(lang, to.year, to.kind)],
            [m(lang, 'carry.amount'), kr(lang, data.amountOre)],
            [m(lang, 'carry.leftAfter'), kr(lang, from.remainingOre - data.amountOre)],
            [m(lang, 'carry.reference'), data.reference],
            [m(lang, 'carry.decidedAt'), data.decidedAt ?? '–'],
            [m(lang, 'motivation'), data.motivation],
          ],
          confirm: m(lang, 'carry.confirm'),
          cancelHref: '/money',
        });
      }
      try {
        money.carryOver(here.id, actor.id, data);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        return carryPage(request, reply, here, values, new Map(), [m(lang, 'changedMeanwhile')], 409);
      }
      return reply.redirect('/money?done=carried', 303);
    }, true),
  );

  // ---- a distribution of a pool ---------------------------------------------------------------

  /*
   * A prioritisation decision: who decided, when, its reference, and lines of a level
   * (county-wide, sub-regional, local), a recipient (a sub-region typed, one of the
   * programme's municipalities chosen), perhaps a priority area, and an amount. The form
   * starts from the distribution in force; an empty line is no line; "add a row" posts the
   * form back with one more empty line. Errors of the service's own checks (`lines.N.recipient`,
   * …) stand at the input the person filled in, or should have.
   */

  const say = (lang: Language, key: string, params?: Record<string, string | number>) => m(lang, `distribute.${key}`, params);
  const distributionAction = (pool: PoolView) => `/money/pools/${pool.id}/distribution`;
  const fieldId = (path: string) => `money-${path.replace(/\./g, '-')}`;

  const headHints = (lang: Language): Record<string, FieldHints> => ({
    decidedBy: { label: say(lang, 'decidedBy'), help: say(lang, 'decidedByHint') },
    decisionDate: { label: say(lang, 'decisionDate') },
    reference: { label: say(lang, 'reference'), help: say(lang, 'referenceHint') },
    motivation: { label: m(lang, 'motivation'), help: say(lang, 'motivationHint') },
    'lines.amountOre': { money: true, label: say(lang, 'amount') },
  });

  const lineLabel = (lang: Language, field: LineField) =>
    say(lang, field === 'priorityAreaId' ? 'area' : field === 'amountOre' ? 'amount' : field);

  /** Amounts in kronor as the form shows them again (the correction form's parsing reads them back). */
  const kronorText = (lang: Language, ore: number) =>
    ore % 100 === 0 ? String(ore / 100) : `${Math.floor(ore / 100)}${lang === 'sv' ? ',' : '.'}${String(ore % 100).padStart(2, '0')}`;

  /** The distribution in force as the form's values, to start the new one from. */
  const valuesOf = (lang: Language, distribution: DistributionView | null): FormValues =>
    Object.fromEntries(
      (distribution?.lines ?? []).flatMap((l, i) => [
        [`lines.${i}.scope`, l.scope],
        ...(l.scope === 'sub-regional' ? [[`lines.${i}.subRegion`, l.recipient]] : []),
        ...(l.scope === 'local' ? [[`lines.${i}.municipality`, l.recipient]] : []),
        ...(l.priorityAreaId ? [[`lines.${i}.priorityAreaId`, l.priorityAreaId]] : []),
        [`lines.${i}.amountOre`, kronorText(lang, l.amountOre)],
      ]),
    );

  /**
   * The posted values with the empty lines dropped and the others numbered from 0 (so the
   * service's `lines.N` is the form's row N), and how many empty lines were posted.
   */
  function compacted(values: FormValues): { values: FormValues; blanks: number } {
    const out: FormValues = {};
    for (const key of HEAD_FIELDS) if (values[key] !== undefined) out[key] = firstText(values[key]);
    const rows = new Map<number, Partial<Record<LineField, string>>>();
    for (const [key, value] of Object.entries(values)) {
      const line = /^lines\.(\d{1,3})\.(\w+)$/.exec(key);
      if (!line || Number(line[1]) >= MAX_LINES || !LINE_FIELDS.includes(line[2] as LineField)) continue;
      rows.set(Number(line[1]), { ...rows.get(Number(line[1])), [line[2]!]: firstText(value) });
    }
    const order = [...rows.keys()].sort((a, b) => a - b);
    const filled = order.filter((n) => Object.values(rows.get(n)!).some((v) => v.trim() !== ''));
    filled.forEach((n, i) => {
      for (const [name, value] of Object.entries(rows.get(n)!)) out[`lines.${i}.${name}`] = value;
    });
    return { values: out, blanks: order.length - filled.length };
  }

  const filledLines = (values: FormValues) => {
    let n = 0;
    while (LINE_FIELDS.some((f) => values[`lines.${n}.${f}`] !== undefined)) n += 1;
    return n;
  };

  /** What is wrong with a line's recipient, at the input it concerns: the one filled in, or the one to fill in. */
  function recipientProblems(lang: Language, l: FormLine, municipalities: readonly string[]): [LineField, string][] {
    const out: [LineField, string][] = [];
    if (l.scope === 'county') {
      if (l.subRegion) out.push(['subRegion', say(lang, 'countyNoRecipient')]);
      if (l.municipality) out.push(['municipality', say(lang, 'countyNoRecipient')]);
    } else if (l.scope === 'sub-regional') {
      if (!l.subRegion) out.push(['subRegion', say(lang, 'subRegionMissing')]);
      if (l.municipality) out.push(['municipality', say(lang, 'municipalityOnlyLocal')]);
    } else {
      if (l.subRegion) out.push(['subRegion', say(lang, 'subRegionOnlySubRegional')]);
      if (!l.municipality) out.push(['municipality', say(lang, 'municipalityMissing')]);
      else if (!municipalities.includes(l.municipality)) out.push(['municipality', say(lang, 'notMunicipality', { name: l.municipality })]);
    }
    return out;
  }

  const overPool = (lang: Language, lines: FormLine[], pool: PoolView) =>
    say(lang, 'overPool', {
      total: kr(
        lang,
        lines.reduce((sum, l) => sum + l.amountOre, 0),
      ),
      amount: kr(lang, pool.amountOre),
    });

  /** Each posted line that is whole by itself (undefined where not): checked even while other fields are wrong, so every error shows at once. */
  function postedLines(values: FormValues): (FormLine | undefined)[] {
    const { payload } = parseForm(distributionLines, values, { 'lines.amountOre': { money: true } });
    return ((payload as { lines?: unknown[] }).lines ?? []).map((row) => {
      const line = distributionForm.shape.lines.element.safeParse(row);
      return line.success ? line.data : undefined;
    });
  }

  /** The service's checks, made before the check page so nothing refused gets that far; the sum once every line is whole. */
  function distributionProblems(lang: Language, config: ProgrammeConfig, pool: PoolView, lines: (FormLine | undefined)[]): FormErrors {
    const errors: FormErrors = new Map();
    const areas = new Set(allAreas(config).map((a) => a.id));
    const seen = new Set<string>();
    lines.forEach((l, i) => {
      if (!l) return;
      for (const [field, message] of recipientProblems(lang, l, config.municipalities)) errors.set(`lines.${i}.${field}`, message);
      if (l.priorityAreaId !== undefined && !areas.has(l.priorityAreaId)) errors.set(`lines.${i}.priorityAreaId`, say(lang, 'unknownArea'));
      const key = JSON.stringify([l.scope, recipientOf(l), l.priorityAreaId ?? null]);
      if (seen.has(key)) errors.set(`lines.${i}`, say(lang, 'duplicate'));
      seen.add(key);
    });
    const whole = lines.filter((l) => l !== undefined);
    if (whole.length === lines.length && whole.reduce((sum, l) => sum + l.amountOre, 0) > pool.amountOre)
      errors.set('lines', overPool(lang, whole, pool));
    return errors;
  }

  /** The service's refusal (`body.lines.2.recipient`, …) at the form's inputs, in plain words; what fits none in `general`. */
  function serviceProblems(lang: Language, error: DomainError, config: ProgrammeConfig, pool: PoolView, lines: FormLine[]) {
    const errors: FormErrors = new Map();
    const general: string[] = [];
    const invalid = t(lang, 'validation.invalid');
    for (const e of error.details.errors ?? []) {
      const path = e.path.replace(/^body\.?/, '');
      const at = /^lines\.(\d+)(?:\.(\w+))?$/.exec(path);
      const line = at ? lines[Number(at[1])] : undefined;
      if (path === 'lines') errors.set('lines', overPool(lang, lines, pool));
      else if ((HEAD_FIELDS as readonly string[]).includes(path)) errors.set(path, invalid);
      else if (!at || !line) general.push(invalid);
      else if (!at[2]) errors.set(path, say(lang, 'duplicate'));
      else if (at[2] === 'recipient') {
        const [field, message] = recipientProblems(lang, line, config.municipalities)[0] ?? [
          line.scope === 'local' ? 'municipality' : 'subRegion',
          invalid,
        ];
        errors.set(`lines.${at[1]}.${field}`, message);
      } else if (at[2] === 'priorityAreaId') errors.set(path, say(lang, 'unknownArea'));
      else if (LINE_FIELDS.includes(at[2] as LineField)) errors.set(path, invalid);
      else general.push(invalid);
    }
    return { errors, general };
  }

  interface DistributionForm {
    values: FormValues;
    /** Empty lines shown after the filled ones. */
    blanks?: number;
    errors?: FormErrors;
    general?: string[];
    status?: number;
  }

  function distributionPage(request: FastifyRequest, reply: FastifyReply, here: Here, pool: PoolView, form: DistributionForm) {
    const lang = requestLanguage(request);
    const config = programmes.get(here.id)!;
    const inForce = money.poolDetail(here.id, pool.id).distribution;
    const errors = form.errors ?? new Map<string, string>();
    const hints = headHints(lang);
    const ctx: FormContext = { lang, hints, values: { ...form.values }, errors, idPrefix: 'money', rendered: new Set() };
    const head = renderFields(ctx, distributionHead);
    const count = Math.min(filledLines(form.values) + Math.max(1, form.blanks ?? 1), MAX_LINES);

    // Areas by their labels (a sub-area after its area's), never by their ids.
    const areas = allAreas(config);
    const areaOptions = areas.map((a) => ({
      value: a.id,
      label: a.parentId ? `${areas.find((p) => p.id === a.parentId)?.label[lang] ?? ''}: ${a.label[lang]}` : a.label[lang],
    }));
    const optionsFor = (field: LineField, value: string): { empty: string; options: { value: string; label: string }[] } | undefined => {
      const withValue = (options: { value: string; label: string }[], label: string) =>
        value && !options.some((o) => o.value === value) ? [...options, { value, label }] : options;
      if (field === 'scope')
        return {
          empty: t(lang, 'web.choose'),
          options: DISTRIBUTION_SCOPES.map((s) => ({ value: s, label: say(lang, `scopeOptions.${s}`) })),
        };
      if (field === 'municipality')
        return {
          empty: say(lang, 'noMunicipality'),
          options: withValue(
            config.municipalities.map((x) => ({ value: x, label: x })),
            value,
          ),
        };
      if (field === 'priorityAreaId') return { empty: say(lang, 'noArea'), options: withValue(areaOptions, say(lang, 'goneArea')) };
      return undefined;
    };
    const errorText = (id: string, message: string | undefined) =>
      message
        ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${message}</p>`
        : '';
    const described = (id: string, help: boolean, error: boolean) => {
      const ids = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
      return ids ? html` aria-describedby="${ids}"` : '';
    };
    const input = (i: number, field: LineField) => {
      const path = `lines.${i}.${field}`;
      const id = fieldId(path);
      const value = firstText(form.values[path]);
      const error = errors.get(path);
      const help =
        field === 'subRegion'
          ? say(lang, 'subRegionHint')
          : field === 'municipality'
            ? say(lang, 'municipalityHint')
            : field === 'amountOre'
              ? t(lang, 'web.kronorHint')
              : undefined;
      const optional = field === 'priorityAreaId' ? html` <span class="optional">(${t(lang, 'web.optional')})</span>` : '';
      const common = html`id="${id}" name="${path}"${error ? raw(' aria-invalid="true"') : ''}${described(id, !!help, !!error)}`;
      const choices = optionsFor(field, value);
      const control = choices
        ? html`<select ${common}><option value="">${choices.empty}</option>${choices.options.map((o) => html`<option value="${o.value}"${o.value === value ? raw(' selected') : ''}>${o.label}</option>`)}</select>`
        : field === 'amountOre'
          ? html`<input type="text" inputmode="decimal" ${common} value="${value}" class="short">`
          : html`<input type="text" ${common} value="${value}" maxlength="100">`;
      return html`<div class="field${error ? ' has-error' : ''}"><label for="${id}">${lineLabel(lang, field)}${optional}</label>${help ? html`<p class="help" id="${id}-help">${help}</p>` : ''}${errorText(id, error)}${control}</div>`;
    };
    const rows = Array.from({ length: count }, (_, i) => {
      const id = fieldId(`lines.${i}`);
      const error = errors.get(`lines.${i}`);
      return html`<fieldset class="row" id="${id}"${described(id, false, !!error)}><legend>${say(lang, 'line', { n: i + 1 })}</legend>${errorText(id, error)}${LINE_FIELDS.map((f) => input(i, f))}</fieldset>`;
    });
    const linesError = errors.get('lines');

    // The summary in the order of the page, each line linking to its input.
    const order = [
      ...HEAD_FIELDS,
      'lines',
      ...Array.from({ length: count }, (_, i) => [`lines.${i}`, ...LINE_FIELDS.map((f) => `lines.${i}.${f}`)]).flat(),
    ];
    const labelOf = (path: string) => {
      const at = /^lines\.(\d+)(?:\.(\w+))?$/.exec(path);
      if (!at) return path === 'lines' ? say(lang, 'lines') : (hints[path]?.label ?? path);
      const n = Number(at[1]) + 1;
      return at[2] ? say(lang, 'lineField', { field: lineLabel(lang, at[2] as LineField), n }) : say(lang, 'line', { n });
    };
    const problems: Problem[] = order.flatMap((path) => {
      const message = errors.get(path);
      return message ? [{ field: fieldId(path), label: labelOf(path), message }] : [];
    });
    const general = [...(form.general ?? []), ...[...errors].filter(([path]) => !order.includes(path)).map(([, message]) => message)];

    const title = say(lang, 'title', { pool: poolName(lang, pool.year, pool.kind) });
    const body = html`${backLink(`/money/pools/${pool.id}`, poolName(lang, pool.year, pool.kind))}<h1>${title}</h1>
<p>${say(lang, 'intro', { amount: kr(lang, pool.amountOre) })}</p>
${inForce ? html`<p>${say(lang, 'replaces', { by: inForce.decidedBy, date: inForce.decisionDate, reference: inForce.reference })}</p>` : ''}
<form method="post" action="${distributionAction(pool)}" novalidate>
${csrfInput(request)}
${problemSummary(lang, 'money-errors', problems, general)}
${head}
<fieldset id="money-lines" class="rows"${described('money-lines', true, !!linesError)}><legend>${say(lang, 'lines')}</legend>
<p class="help" id="money-lines-help">${say(lang, 'linesHint')}</p>${errorText('money-lines', linesError)}
${rows}
</fieldset>
<div class="button-group"><button type="submit">${m(lang, 'continue')}</button><button type="submit" name="_add" value="yes" class="secondary">${say(lang, 'addRow')}</button><a href="/money/pools/${pool.id}">${m(lang, 'cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status: form.status ?? 200, path: distributionAction(pool) });
  }

  /** The lines as the check page shows them: a table with the sum and what is left of the pool. */
  function linesTable(lang: Language, config: ProgrammeConfig, pool: PoolView, lines: FormLine[]): SafeHtml {
    const areas = new Map(allAreas(config).map((a) => [a.id, a.label[lang]]));
    const total = lines.reduce((sum, l) => sum + l.amountOre, 0);
    return html`<table>
<caption>${say(lang, 'lines')}</caption>
<thead><tr><th scope="col">${m(lang, 'distribution.scope')}</th><th scope="col">${m(lang, 'distribution.recipient')}</th><th scope="col">${m(lang, 'distribution.area')}</th><th scope="col">${m(lang, 'columns.amount')}</th></tr></thead>
<tbody>${lines.map(
      (l) =>
        html`<tr><td>${m(lang, `scopes.${l.scope}`)}</td><td>${recipientOf(l) || '–'}</td><td>${l.priorityAreaId ? (areas.get(l.priorityAreaId) ?? '–') : '–'}</td><td data-field="lineOre" data-ore="${l.amountOre}">${kr(lang, l.amountOre)}</td></tr>`,
    )}</tbody>
<tfoot>
<tr><th scope="row" colspan="3">${say(lang, 'total')}</th><td data-field="totalOre" data-ore="${total}">${kr(lang, total)}</td></tr>
<tr><th scope="row" colspan="3">${say(lang, 'undistributed')}</th><td data-field="undistributedOre" data-ore="${pool.amountOre - total}">${kr(lang, pool.amountOre - total)}</td></tr>
</tfoot>
</table>`;
  }

  pages.get(
    '/money/pools/:poolId/distribution',
    { schema: { hide: true } },
    programmeRole((request, reply, _actor, here) => {
      const pool = poolOf(here, request);
      const inForce = money.poolDetail(here.id, pool.id).distribution;
      return distributionPage(request, reply, here, pool, { values: valuesOf(requestLanguage(request), inForce) });
    }, true),
  );

  pages.post(
    '/money/pools/:poolId/distribution',
    { schema: { hide: true } },
    programmeRole((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const pool = poolOf(here, request);
      const config = programmes.get(here.id)!;
      const { values, blanks } = compacted(formFields(request.body));
      if (flag(request.body, '_add')) return distributionPage(request, reply, here, pool, { values, blanks: blanks + 1 });
      if (flag(request.body, '_change')) return distributionPage(request, reply, here, pool, { values, blanks });
      const { data, errors } = parsedForm(lang, distributionForm, values, headHints(lang));
      // The lines' own words for what the schema says in general ones.
      for (const path of errors.keys()) {
        if (path === 'lines') errors.set(path, say(lang, 'noLines'));
        else if (/^lines\.\d+\.scope$/.test(path)) errors.set(path, say(lang, 'scopeMissing'));
      }
      for (const [path, message] of distributionProblems(lang, config, pool, data?.lines ?? postedLines(values)))
        if (!errors.has(path)) errors.set(path, message);
      if (!data || errors.size > 0) return distributionPage(request, reply, here, pool, { values, blanks, errors, status: 422 });
      const inForce = money.poolDetail(here.id, pool.id).distribution;
      if (!flag(request.body, '_confirm')) {
        return checkPage({
          request,
          reply,
          action: distributionAction(pool),
          title: say(lang, 'check'),
          intro: `${say(lang, 'checkIntro')}${inForce ? ` ${say(lang, 'checkReplaces', { by: inForce.decidedBy, date: inForce.decisionDate, reference: inForce.reference })}` : ''}`,
          values,
          answers: [
            [m(lang, 'columns.pool'), poolName(lang, pool.year, pool.kind)],
            [say(lang, 'decidedByAnswer'), data.decidedBy],
            [say(lang, 'decisionDate'), data.decisionDate],
            [say(lang, 'reference'), data.reference],
            [m(lang, 'motivation'), data.motivation ?? '–'],
          ],
          more: linesTable(lang, config, pool, data.lines),
          confirm: say(lang, 'confirm'),
          cancelHref: `/money/pools/${pool.id}`,
        });
      }
      try {
        money.distributePool(here.id, actor.id, pool.id, {
          decidedBy: data.decidedBy,
          decisionDate: data.decisionDate,
          reference: data.reference,
          ...(data.motivation ? { motivation: data.motivation } : {}),
          lines: data.lines.map((l) => ({
            scope: l.scope,
            recipient: recipientOf(l),
            ...(l.priorityAreaId ? { priorityAreaId: l.priorityAreaId } : {}),
            amountOre: l.amountOre,
          })),
        });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        const now = poolOf(here, request);
        const refused = serviceProblems(lang, error, programmes.get(here.id)!, now, data.lines);
        return distributionPage(request, reply, here, now, { values, ...refused, status: 422 });
      }
      return reply.redirect(`/money/pools/${pool.id}?done=distributed`, 303);
    }, true),
  );

  // ---- a case's money ---------------------------------------------------------------------------

  /** The case, if the person sees it (or the page does not exist), and whether they record its money. */
  function caseOf(request: FastifyRequest, actor: Actor) {
    const id = (request.params as { id?: unknown }).id;
    if (typeof id !== 'string' || !UUID.test(id)) throw new DomainError('not-found', 'no such case');
    const view = cases.get(actor, id, requestLanguage(request));
    return { view, keeper: rolesIn(actor, view.programmeId).some((r) => MONEY_KEEPERS.includes(r)) };
  }

  const lineValue = (p: { year: number; pool: string }) => `${p.year}:${p.pool}`;

  function movementHints(lang: Language, lines: { year: number; pool: string }[]): Record<string, FieldHints> {
    return {
      kind: { label: m(lang, 'case.kind'), options: MOVEMENTS.map((k) => ({ value: k, label: m(lang, `movement.${k}`) })) },
      line: { label: m(lang, 'case.line'), options: lines.map((l) => ({ value: lineValue(l), label: poolName(lang, l.year, l.pool) })) },
      amountOre: { money: true, label: m(lang, 'case.amount') },
      date: { label: m(lang, 'case.date'), help: m(lang, 'case.dateHint') },
      reference: { label: m(lang, 'case.reference') },
      motivation: { label: m(lang, 'motivation'), help: m(lang, 'case.motivationHint') },
    };
  }

  function casePage(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    form: { values: FormValues; errors?: FormErrors; general?: string[] } = { values: {} },
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const { view, keeper } = caseOf(request, actor);
    const mine = money.caseMoney(view.id);
    const done = firstText((request.query as Record<string, unknown>).done) as MovementKind;
    const names = namesOf(mine.movements.map((x) => x.createdBy));
    const title = m(lang, 'case.title', { title: view.title });
    const totals: [string, number][] = [
      ['committed', mine.committedOre],
      ['paid', mine.paidOre],
      ['repaid', mine.repaidOre],
      ['released', mine.releasedOre],
      ['unpaid', mine.unpaidOre],
    ];
    let recordForm: SafeHtml | '' = '';
    if (keeper && mine.pools.length > 0) {
      const ctx: FormContext = {
        lang,
        hints: movementHints(lang, mine.pools),
        values: { ...form.values },
        errors: form.errors ?? new Map(),
        idPrefix: 'movement',
        rendered: new Set(),
      };
      const fields = renderFields(ctx, movementForm);
      recordForm = html`<section aria-labelledby="record"><h2 id="record">${m(lang, 'case.record')}</h2>
<form method="post" action="/cases/${view.id}/money" novalidate>
${csrfInput(request)}
${errorSummary(ctx, form.general)}
${fields}
<div class="button-group"><button type="submit">${m(lang, 'case.recordButton')}</button></div>
</form></section>`;
    }
    const body = html`${backLink(`/cases/${view.id}`, view.title)}${notice(MOVEMENTS.includes(done) ? m(lang, `case.done.${done}`) : undefined)}<h1>${title}</h1>
<p class="meta">${t(lang, 'web.diaryNumber')} ${view.diaryNumber}</p>
${
  mine.pools.length === 0
    ? html`<p>${m(lang, 'case.none')}</p>`
    : html`<dl>${totals.map(([key, ore]) => html`<dt>${m(lang, `figures.${key}`)}</dt><dd data-field="${key}Ore" data-ore="${ore}">${kr(lang, ore)}</dd>`)}</dl>
<section aria-labelledby="per-pool"><h2 id="per-pool">${m(lang, 'case.perPool')}</h2>
<table>
<caption class="visually-hidden">${m(lang, 'case.perPool')}</caption>
<thead><tr><th scope="col">${m(lang, 'columns.pool')}</th>${totals.map(([key]) => html`<th scope="col">${m(lang, `figures.${key}`)}</th>`)}</tr></thead>
<tbody>${mine.pools.map(
        (p) =>
          html`<tr><th scope="row">${poolName(lang, p.year, p.pool)}</th><td>${kr(lang, p.committedOre)}</td><td>${kr(lang, p.paidOre)}</td><td>${kr(lang, p.repaidOre)}</td><td>${kr(lang, p.releasedOre)}</td><td>${kr(lang, p.unpaidOre)}</td></tr>`,
      )}</tbody>
</table></section>`
}
<section aria-labelledby="movements"><h2 id="movements">${m(lang, 'case.movements')}</h2>
${
  mine.movements.length === 0
    ? html`<p>${m(lang, 'case.noMovements')}</p>`
    : html`<table>
<caption class="visually-hidden">${m(lang, 'case.movements')}</caption>
<thead><tr><th scope="col">${m(lang, 'columns.date')}</th><th scope="col">${m(lang, 'columns.what')}</th><th scope="col">${m(lang, 'columns.pool')}</th><th scope="col">${m(lang, 'columns.amount')}</th><th scope="col">${m(lang, 'columns.reference')}</th><th scope="col">${m(lang, 'columns.why')}</th><th scope="col">${m(lang, 'columns.who')}</th></tr></thead>
<tbody>${mine.movements.map(
        (x) =>
          html`<tr><td>${x.date}</td><td>${m(lang, `movement.${x.kind}`)}${x.automatic ? html`<br><span class="meta">${m(lang, 'case.automatic')}</span>` : ''}</td><td>${poolName(lang, x.year, x.pool)}</td><td>${kr(lang, x.amountOre)}</td><td>${x.reference ?? '–'}</td><td class="text">${x.motivation ?? '–'}</td><td>${names.get(x.createdBy) ?? '–'}</td></tr>`,
      )}</tbody>
</table>`
}</section>
${recordForm}`;
    return sendPage(request, reply, { title, body, status, path: `/cases/${view.id}/money` });
  }

  pages.get(
    '/cases/:id/money',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => casePage(request, reply, actor)),
  );

  pages.post(
    '/cases/:id/money',
    { schema: { hide: true } },
    loggedIn((request, reply, actor) => {
      const lang = requestLanguage(request);
      const { view, keeper } = caseOf(request, actor);
      if (!keeper) return errorPage(request, reply, 403);
      const values = formFields(request.body);
      const pools = money.caseMoney(view.id).pools;
      const { data, errors } = parsedForm(lang, movementForm, values, movementHints(lang, pools));
      const line = data && pools.find((p) => lineValue(p) === data.line);
      if (data && !line) errors.set('line', t(lang, 'validation.choose'));
      if (data && data.kind !== 'payment' && !data.motivation) errors.set('motivation', m(lang, 'case.motivationMissing'));
      if (data && line) {
        const allowed = data.kind === 'repayment' ? line.paidOre - line.repaidOre : line.unpaidOre;
        if (data.amountOre > allowed)
          errors.set('amountOre', m(lang, data.kind === 'repayment' ? 'case.overPaid' : 'case.overUnpaid', { amount: kr(lang, allowed) }));
      }
      if (!data || !line || errors.size > 0) return casePage(request, reply, actor, { values, errors }, 422);
      const input = {
        year: line.year,
        pool: line.pool,
        amountOre: data.amountOre,
        date: data.date,
        reference: data.reference,
        motivation: data.motivation,
      };
      try {
        if (data.kind === 'payment') money.recordPayment(view.id, actor.id, input);
        else if (data.kind === 'repayment') money.recordRepayment(view.id, actor.id, input);
        else money.releaseCommitment(view.id, actor.id, input);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation-failed') throw error;
        return casePage(request, reply, actor, { values, general: [m(lang, 'changedMeanwhile')] }, 409);
      }
      return reply.redirect(`/cases/${view.id}/money?done=${data.kind}`, 303);
    }),
  );
};
