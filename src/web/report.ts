import { t, type Language } from '../i18n/index.js';
import { formatOre } from '../money/format.js';
import type { YearReport } from '../reports/programme-year.js';
import { ASSETS } from './assets.js';
import { html, type SafeHtml } from './html.js';

/*
 * The programme-year report as the body of a page in the site's layout: the same report
 * object as the JSON, the CSV and the workbook (src/reports/), so their figures cannot
 * disagree, and every figure of the JSON is on it. An overdrawn pool and every decision
 * granted over a pool are said in words, not by colour. Each amount cell carries its figure
 * and its öre (`data-field`, `data-ore`), so a test can read the page as exactly as the JSON.
 * Tables stack on a phone, the wide ones (`wide`) on any narrow screen: each cell then shows
 * its column's name (`data-label`), so nothing scrolls sideways.
 */

/** Where a programme-year report's page is. */
export const reportPagePath = (programmeId: string, year: number) => `/programmes/${encodeURIComponent(programmeId)}/reports/${year}`;

/** Where the report is as data: `json`, `csv` or `xlsx`. */
export const reportDataPath = (programmeId: string, year: number, format: 'json' | 'csv' | 'xlsx') =>
  `/api/programmes/${encodeURIComponent(programmeId)}/reports/${year}?format=${format}`;

const capitalise = (text: string) => text.charAt(0).toLocaleUpperCase() + text.slice(1);

type Area = YearReport['byPriorityArea'][number];
type SubArea = Area['subAreas'][number];

export function reportTitle(report: YearReport): string {
  return `${report.programme.name}: ${t(report.language, 'reports.title', { year: report.year })}`;
}

export function reportBody(report: YearReport, generatedAt: Date): SafeHtml {
  const lang: Language = report.language;
  const l = (key: string, params?: Record<string, string | number>) => t(lang, `reports.${key}`, params);
  const bodies = report.programme.bodies;
  // + 0 makes a negative zero (a pool's carry-over of nothing) a plain zero.
  const kr = (ore: number) => formatOre(ore + 0, lang);
  /** An amount cell: its column's name for a stacked phone view, its figure and öre for tests. */
  const money = (ore: number, field: string, label: string) =>
    html`<td class="num" data-label="${label}" data-field="${field}" data-ore="${ore}">${kr(ore)}</td>`;
  const count = (n: number, field: string, label: string) =>
    html`<td class="num" data-label="${label}" data-field="${field}" data-count="${n}">${n}</td>`;
  const text = (value: string | SafeHtml, label: string, className = '') =>
    html`<td${className ? html` class="${className}"` : ''} data-label="${label}">${value}</td>`;
  const tot = report.totals;
  const taxonomy = report.programme.taxonomy;
  const poolState = (overdrawn: boolean, remainingOre: number) =>
    overdrawn ? l('overdrawnBy', { amount: kr(-remainingOre) }) : l('withinPool');

  // The figures of a pool, one row each, a column per pool and one for them all.
  const poolFigures: [string, keyof YearReport['pools'][number], keyof typeof tot][] = [
    ['initial', 'initialAmountOre', 'initialOre'],
    ['corrections', 'correctionsOre', 'correctionsOre'],
    ['carriedIn', 'carriedInOre', 'carriedInOre'],
    ['carriedOut', 'carriedOutOre', 'carriedOutOre'],
    ['amount', 'amountOre', 'poolOre'],
    ['committed', 'committedOre', 'committedOre'],
    ['released', 'releasedOre', 'releasedOre'],
    ['paid', 'paidOre', 'paidOre'],
    ['repaid', 'repaidOre', 'repaidOre'],
    ['unpaid', 'unpaidOre', 'unpaidOre'],
    ['remaining', 'remainingOre', 'remainingOre'],
  ];
  const poolsTable = html`<table id="pools" class="stack">
<caption>${l('pools')}</caption>
<thead><tr><th scope="col">${l('figure')}</th>${report.pools.map((p) => html`<th scope="col" class="num">${p.name}</th>`)}<th scope="col" class="num">${l('total')}</th></tr></thead>
<tbody>
${poolFigures.map(
  ([key, poolKey, totalKey]) =>
    html`<tr><th scope="row">${l(key)}</th>${report.pools.map((p) => html`${money(p[poolKey] as number, `pool.${p.kind}.${String(poolKey)}`, p.name)}`)}${money(tot[totalKey] as number, `total.${totalKey}`, l('total'))}</tr>\n`,
)}
<tr><th scope="row">${l('poolState')}</th>${report.pools.map((p) => text(html`<strong data-field="pool.${p.kind}.overdrawn" data-value="${String(p.overdrawn)}">${poolState(p.overdrawn, p.remainingOre)}</strong>`, p.name, 'num'))}${text(html`<strong data-field="total.overdrawn" data-value="${String(tot.overdrawn)}">${tot.overdrawn ? l('overdrawn') : l('withinPool')}</strong>`, l('total'), 'num')}</tr>
</tbody>
</table>`;

  const overridesTable =
    report.overrides.length === 0
      ? html`<p id="no-overrides">${l('noOverrides')}</p>`
      : html`<table id="overrides" class="stack wide">
<caption>${l('overridesCaption', { decider: bodies.decider.name })}</caption>
<thead><tr><th scope="col">${l('diaryNumber')}</th><th scope="col">${l('initiative')}</th><th scope="col">${l('pool')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col">${l('motivation')}</th></tr></thead>
<tbody>
${report.overrides.map(
  (o) =>
    html`<tr data-override="${o.diaryNumber}">${text(o.diaryNumber, l('diaryNumber'), 'nowrap')}<th scope="row" data-label="${l('initiative')}">${o.title}</th>${text(o.poolName, l('pool'))}${money(o.amountOre, 'override.grantedOre', l('committed'))}${text(o.motivation, l('motivation'))}</tr>\n`,
)}
</tbody>
</table>`;

  const overdrawnPools = report.pools.filter((p) => p.overdrawn);
  const warning =
    overdrawnPools.length === 0 && report.overrides.length === 0
      ? ''
      : html`<div class="alert" id="overdrawn">
<h2>${l('overWarningTitle')}</h2>
${overdrawnPools.map((p) => html`<p>${l('poolOverdrawn', { pool: p.name, amount: kr(-p.remainingOre) })}</p>`)}
${report.overrides.map((o) => html`<p>${capitalise(l('overrideSentence', { decider: bodies.decider.name, diaryNumber: o.diaryNumber, title: o.title, amount: kr(o.amountOre), pool: o.poolName }))} ${l('motivationSaid', { motivation: o.motivation })}</p>`)}
</div>`;

  const earmarks = report.pools.flatMap((p) => p.earmarks.map((e) => ({ pool: p, earmark: e })));
  const areaLabel = new Map(report.byPriorityArea.map((a) => [a.priorityAreaId, a.label]));
  const earmarkTable =
    earmarks.length === 0
      ? ''
      : html`<table id="earmarks" class="stack wide">
<caption>${l('earmarks')}</caption>
<thead><tr><th scope="col">${l('pool')}</th><th scope="col">${taxonomy}</th><th scope="col" class="num">${l('earmarked')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('remaining')}</th></tr></thead>
<tbody>
${earmarks.map(
  ({ pool, earmark }) =>
    html`<tr>${text(pool.name, l('pool'))}<th scope="row" data-label="${taxonomy}">${areaLabel.get(earmark.priorityAreaId) ?? l('unknownArea')}</th>${money(earmark.amountOre, 'earmark.amountOre', l('earmarked'))}${money(earmark.committedOre, 'earmark.committedOre', l('committed'))}${money(earmark.remainingOre, 'earmark.remainingOre', l('remaining'))}</tr>\n`,
)}
</tbody>
</table>`;

  const areaCells = (a: Area | SubArea, prefix: string) =>
    html`${count(a.initiatives, `${prefix}.initiatives`, l('initiatives'))}${money(a.grantedOre, `${prefix}.grantedOre`, l('committed'))}${money(a.paidOre, `${prefix}.paidOre`, l('paid'))}${money(a.unpaidOre, `${prefix}.unpaidOre`, l('unpaid'))}${money(a.releasedOre, `${prefix}.releasedOre`, l('released'))}${money(a.repaidOre, `${prefix}.repaidOre`, l('repaid'))}${money(a.spentOre, `${prefix}.spentOre`, l('spent'))}`;
  const moneyHead = html`<th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('paid')}</th><th scope="col" class="num">${l('unpaid')}</th><th scope="col" class="num">${l('released')}</th><th scope="col" class="num">${l('repaid')}</th><th scope="col" class="num">${l('spent')}</th>`;
  const areaHead = html`<th scope="col" class="num">${l('initiatives')}</th>${moneyHead}`;
  const areaTable = html`<table id="by-area" class="stack wide">
<caption>${l('byArea', { taxonomy: taxonomy.toLocaleLowerCase(lang === 'sv' ? 'sv-SE' : 'en-GB') })}</caption>
<thead><tr><th scope="col">${taxonomy}</th>${areaHead}</tr></thead>
<tbody>
${report.byPriorityArea.map((a) => {
  const key = `area.${a.priorityAreaId ?? '-'}`;
  return html`<tr class="area" data-area="${a.priorityAreaId ?? ''}"><th scope="row">${a.label}</th>${areaCells(a, key)}</tr>
${a.subAreas.map((s) => html`<tr class="sub-area" data-area="${s.priorityAreaId}"><th scope="row">${l('ofWhich', { label: s.label })}</th>${areaCells(s, `sub-area.${s.priorityAreaId}`)}</tr>\n`)}`;
})}
</tbody>
<tfoot><tr><th scope="row">${l('total')}</th>${count(tot.initiatives, 'total.initiatives', l('initiatives'))}${money(tot.committedOre, 'total.areas.grantedOre', l('committed'))}${money(tot.paidOre, 'total.areas.paidOre', l('paid'))}${money(tot.unpaidOre, 'total.areas.unpaidOre', l('unpaid'))}${money(tot.releasedOre, 'total.areas.releasedOre', l('released'))}${money(tot.repaidOre, 'total.areas.repaidOre', l('repaid'))}${money(tot.spentOre, 'total.spentOre', l('spent'))}</tr></tfoot>
</table>`;

  const scopeTable = html`<table id="by-scope" class="stack">
<caption>${l('byScope')}</caption>
<thead><tr><th scope="col">${l('scope')}</th><th scope="col" class="num">${l('initiatives')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('distributed')}</th></tr></thead>
<tbody>
${report.byScope.map(
  (s) =>
    html`<tr data-scope="${s.scope ?? ''}"><th scope="row">${s.label}</th>${count(s.initiatives, `scope.${s.scope ?? '-'}.initiatives`, l('initiatives'))}${money(s.grantedOre, `scope.${s.scope ?? '-'}.grantedOre`, l('committed'))}${money(s.distributedOre, `scope.${s.scope ?? '-'}.distributedOre`, l('distributed'))}</tr>\n`,
)}
</tbody>
</table>`;

  const distributions =
    report.distributions.length === 0
      ? html`<p>${l('noDistribution')}</p>`
      : report.distributions.map(
          (d) => html`<h3>${l('distributionOf', { pool: d.poolName })}</h3>
<p>${l('distributionDecided', { body: d.decidedBy, date: d.decisionDate, reference: d.reference })}${d.motivation ? html` ${l('motivationSaid', { motivation: d.motivation })}` : ''}</p>
<table class="stack distribution">
<caption>${l('distributionLines', { pool: d.poolName })}</caption>
<thead><tr><th scope="col">${l('scope')}</th><th scope="col">${l('recipient')}</th><th scope="col">${taxonomy}</th><th scope="col" class="num">${l('distributed')}</th></tr></thead>
<tbody>
${d.lines.map((line) => html`<tr><th scope="row" data-label="${l('scope')}">${line.scopeLabel}</th>${text(line.recipient || l('wholeCounty'), l('recipient'))}${text(line.priorityArea || '–', taxonomy)}${money(line.amountOre, 'distribution.amountOre', l('distributed'))}</tr>\n`)}
</tbody>
</table>
<table class="stack distribution-vs-granted">
<caption>${l('distributedVsGranted', { pool: d.poolName })}</caption>
<thead><tr><th scope="col">${l('scope')}</th><th scope="col" class="num">${l('distributed')}</th><th scope="col" class="num">${l('grantedFromPool')}</th></tr></thead>
<tbody>
${d.byScope.map((s) => html`<tr><th scope="row">${s.label}</th>${money(s.distributedOre, 'distribution.scope.distributedOre', l('distributed'))}${money(s.grantedOre, 'distribution.scope.grantedOre', l('grantedFromPool'))}</tr>\n`)}
</tbody>
</table>`,
        );

  const indicatorList = (i: YearReport['initiatives'][number]) =>
    i.indicators.length === 0
      ? '–'
      : html`<ul>${i.indicators.map(
          (ind) =>
            html`<li>${ind.name}: ${ind.value === null ? l('notReported') : `${ind.value} ${ind.unit}`} (${l('target')} ${ind.target} ${ind.unit}${ind.baseline === null ? '' : `, ${l('baseline')} ${ind.baseline}`})${ind.reached === null ? '' : ` – ${l('reached')}: ${ind.reached ? l('yes') : l('no')}`}</li>`,
        )}</ul>`;
  const facts = (i: YearReport['initiatives'][number]) =>
    html`<ul class="facts"><li>${taxonomy}: ${i.subArea ? `${i.topArea}: ${i.subArea}` : i.topArea || '–'}</li><li>${l('scope')}: ${i.scope || '–'}</li><li>${l('state')}: ${i.state}</li><li>${l('indicators')}: ${indicatorList(i)}</li></ul>${i.override === null ? '' : html`<p class="override"><strong>${l('grantedOverPool')}</strong> ${l('motivationSaid', { motivation: i.override })}</p>`}`;
  const initiativesTable = html`<table id="initiatives" class="stack wide">
<caption>${l('initiatives')} (${tot.initiatives})</caption>
<thead><tr><th scope="col">${l('initiative')}</th><th scope="col">${l('about')}</th>${moneyHead}</tr></thead>
<tbody>
${report.initiatives.map(
  (i) =>
    html`<tr data-case="${i.diaryNumber}"><th scope="row">${i.title}<br><span class="meta">${i.diaryNumber}</span></th>${text(facts(i), l('about'))}${money(i.grantedOre, 'grantedOre', l('committed'))}${money(i.paidOre, 'paidOre', l('paid'))}${money(i.unpaidOre, 'unpaidOre', l('unpaid'))}${money(i.releasedOre, 'releasedOre', l('released'))}${money(i.repaidOre, 'repaidOre', l('repaid'))}${money(i.spentOre, 'spentOre', l('spent'))}</tr>\n`,
)}
</tbody>
</table>`;

  // A long list of initiatives is read a page at a time (GOV.UK's pagination): the first and
  // last page, the pages around this one, and the page before and after it.
  const { page, pages, pageSize } = report.initiativesPage;
  const pageLink = (n: number) => `${reportPagePath(report.programme.id, report.year)}${n === 1 ? '' : `?page=${n}`}#h-initiatives`;
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const pagination =
    pages <= 1
      ? ''
      : html`<p id="initiatives-shown">${l('initiativesOnPage', {
          from: Math.min(tot.initiatives, (page - 1) * pageSize + 1),
          to: Math.min(tot.initiatives, page * pageSize),
          total: tot.initiatives,
        })}</p>
<nav class="pagination no-print" aria-label="${l('pagesLabel')}"><ul class="inline">
${page > 1 ? html`<li><a href="${pageLink(page - 1)}" rel="prev">${l('previousPage')}</a></li>` : ''}
${shown.map(
  (n, i) =>
    html`${i > 0 && n - shown[i - 1]! > 1 ? html`<li aria-hidden="true">…</li>` : ''}<li>${
      n === page
        ? html`<a href="${pageLink(n)}" aria-current="page" aria-label="${l('pageOf', { page: n, pages })}">${n}</a>`
        : html`<a href="${pageLink(n)}" aria-label="${l('pageNumber', { page: n })}">${n}</a>`
    }</li>`,
)}
${page < pages ? html`<li><a href="${pageLink(page + 1)}" rel="next">${l('nextPage')}</a></li>` : ''}
</ul></nav>`;

  const stateTable = html`<table id="by-state" class="stack">
<caption>${l('byState')}</caption>
<thead><tr><th scope="col">${l('state')}</th><th scope="col" class="num">${l('count')}</th></tr></thead>
<tbody>
${report.byState.map((s) => html`<tr><th scope="row">${s.label}</th>${count(s.count, 'state.count', l('count'))}</tr>\n`)}
</tbody>
</table>`;

  const programmeId = report.programme.id;
  return html`<h1>${reportTitle(report)}</h1>
<p class="meta">${report.programme.organisation}. ${l('generated', { date: generatedAt.toISOString().slice(0, 10) })}.</p>
<ul class="inline no-print" id="downloads">
<li><a href="${reportDataPath(programmeId, report.year, 'xlsx')}" download>${l('downloadXlsx')}</a></li>
<li><a href="${reportDataPath(programmeId, report.year, 'csv')}" download>${l('downloadCsv')}</a></li>
<li><button type="button" id="print" class="link" hidden>${l('print')}</button></li>
</ul>
${warning}
<section aria-labelledby="h-money"><h2 id="h-money">${l('moneyHeading')}</h2>
${poolsTable}
${earmarkTable}
<h3>${l('overridesHeading')}</h3>
${overridesTable}
</section>
<section aria-labelledby="h-areas"><h2 id="h-areas">${l('byArea', { taxonomy: taxonomy.toLocaleLowerCase(lang === 'sv' ? 'sv-SE' : 'en-GB') })}</h2>
<p>${l('areasExplained')}</p>
${areaTable}
</section>
<section aria-labelledby="h-scope"><h2 id="h-scope">${l('byScope')}</h2>
${scopeTable}
<h3>${l('distributionsHeading')}</h3>
${distributions}
</section>
<section aria-labelledby="h-initiatives"><h2 id="h-initiatives">${l('initiatives')}</h2>
${initiativesTable}
${pagination}
${stateTable}
</section>
<section aria-labelledby="h-recommended"><h2 id="h-recommended">${l('recommended', { recommender: bodies.recommender.name })}</h2>
${
  report.recommendedForImplementationOrScaleUp.length === 0
    ? html`<p>${l('none')}</p>`
    : html`<ul id="recommended">${report.recommendedForImplementationOrScaleUp.map((r) => html`<li>${r.diaryNumber} ${r.title}: ${l(r.recommendation)}</li>`)}</ul>`
}
</section>
<script src="${ASSETS.print.url}" defer></script>`;
}
