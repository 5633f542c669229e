import { t, type Language } from '../i18n/index.js';
import { formatOre } from '../money/format.js';
import { CHARTED_MONEY, type DrawnChart } from '../reports/charts.js';
import { MONEY_FIGURES, type MultiYearIndicator, type MultiYearReport } from '../reports/multi-year.js';
import { ASSETS } from './assets.js';
import { html, raw, type SafeHtml } from './html.js';
import { reportPagePath } from './report.js';

/*
 * The multi-year report as the body of a page: the same report object as the JSON, the CSV
 * and the workbook. Each chart (drawn on the server, src/reports/charts.ts) is followed by a
 * table with the same numbers: its columns are named as the chart's series, and each number
 * cell carries the figure it shows (`data-value`), so a test can hold the picture against the
 * table. Met or missed, overdue or not are said in words. Printable as it is: no script is
 * needed (the print button only appears when the print script runs).
 */

/** Where the multi-year report's page is, for a chosen range of years or the default. */
export function multiYearPagePath(programmeId: string, range: { from?: number; to?: number } = {}) {
  const query = [range.from !== undefined ? `from=${range.from}` : '', range.to !== undefined ? `to=${range.to}` : '']
    .filter(Boolean)
    .join('&');
  return `/programmes/${encodeURIComponent(programmeId)}/reports/multi-year${query ? `?${query}` : ''}`;
}

/** Where the report is as data: `json`, `csv` or `xlsx`, for the same years. */
export const multiYearDataPath = (programmeId: string, from: number, to: number, format: 'json' | 'csv' | 'xlsx') =>
  `/api/programmes/${encodeURIComponent(programmeId)}/reports/multi-year?format=${format}&from=${from}&to=${to}`;

export function multiYearTitle(report: MultiYearReport): string {
  return `${report.programme.name}: ${t(report.language, 'multiYear.title', { from: report.fromYear, to: report.toYear })}`;
}

export function multiYearBody(
  report: MultiYearReport,
  charts: DrawnChart[],
  programmeYears: { first: number; last: number },
  yearsWithReport: ReadonlySet<number>,
): SafeHtml {
  const lang: Language = report.language;
  const l = (key: string, params?: Record<string, string | number>) => t(lang, `multiYear.${key}`, params);
  const locale = lang === 'sv' ? 'sv-SE' : 'en-GB';
  const num = (n: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(n);
  const svgOf = (key: string) => charts.find((c) => c.key === key)?.svg;
  const programmeId = report.programme.id;

  /** A chart, then the table that holds its numbers. */
  const charted = (key: string, table: SafeHtml) => {
    const svg = svgOf(key);
    return svg ? html`<div class="chart">${raw(svg)}</div>\n${table}` : table;
  };

  // ---- the plan in force ---------------------------------------------------------------------
  const plan = report.plan;
  const indicatorValue = (ind: MultiYearIndicator, value: number | boolean) => {
    if (typeof value === 'number') return ind.kind === 'percentage' ? `${num(value)} %` : `${num(value)}${ind.unit ? ` ${ind.unit}` : ''}`;
    if (ind.kind === 'document') return value ? l('delivered') : l('notDelivered');
    return value ? l('yes') : l('no');
  };
  const outcomeHtml = (outcome: string) =>
    outcome === 'met' || outcome === 'missed'
      ? html`<strong class="${outcome}" data-outcome="${outcome}">${l(`outcomes.${outcome}`)}</strong>`
      : html`<span data-outcome="${outcome}">${l(`outcomes.${outcome}`)}</span>`;

  const valueCell = (ind: MultiYearIndicator, value: number | boolean | null, series: string, extra?: SafeHtml | string) =>
    value === null
      ? html`<td class="num" data-label="${series}" data-value="">–</td>`
      : html`<td class="num" data-label="${series}" data-value="${typeof value === 'number' ? String(value) : String(value)}">${indicatorValue(ind, value)}${extra ?? ''}</td>`;

  const indicatorHtml = (ind: MultiYearIndicator) => {
    const target = l('target');
    const measured = l('measured');
    const later = ind.targets.filter((x) => x.year > report.toYear);
    const meta = [
      l('kindIs', { kind: t(lang, `plan.kinds.${ind.kind}`) }),
      ind.unit && ind.kind === 'number' ? l('unitIs', { unit: ind.unit }) : '',
      ind.baseline ? l('baselineIs', { year: ind.baseline.year, value: indicatorValue(ind, ind.baseline.value) }) : '',
    ].filter(Boolean);
    const due = ind.years.filter((y) => y.outcome === 'met' || y.outcome === 'missed');
    const table = html`<table class="stack chart-data" data-chart="indicator-${ind.id}" data-indicator="${ind.id}">
<caption>${l('tableCaption', { indicator: ind.label })}</caption>
<thead><tr><th scope="col">${l('year')}</th><th scope="col" class="num">${target}</th><th scope="col" class="num">${measured}</th><th scope="col">${l('outcome')}</th></tr></thead>
<tbody>
${ind.years.map(
  (y) =>
    html`<tr data-year="${y.year}"><th scope="row">${y.year}</th>${valueCell(ind, y.target, target)}${valueCell(
      ind,
      y.value,
      measured,
      y.document ? html`<br><span class="meta">${y.document.title}${y.document.reference ? ` (${y.document.reference})` : ''}</span>` : '',
    )}<td data-label="${l('outcome')}">${outcomeHtml(y.outcome)}</td></tr>\n`,
)}
</tbody>
</table>`;
    return html`<section class="indicator" aria-labelledby="ind-${ind.id}"><h3 id="ind-${ind.id}">${ind.label}</h3>
<p class="meta">${meta.join(' · ')}</p>
${due.length ? html`<p>${l('summaryMet', { met: due.filter((y) => y.outcome === 'met').length, due: due.length })}</p>` : ''}
${later.length ? html`<p>${l('laterTargets', { targets: later.map((x) => `${x.year}: ${indicatorValue(ind, x.value)}`).join('; ') })}</p>` : ''}
${charted(`indicator-${ind.id}`, table)}
</section>`;
  };

  const planHtml = plan
    ? (() => {
        const horizons = [...new Set(plan.goals.map((g) => g.horizonYears))];
        const overdue = plan.assignments.filter((a) => a.overdue);
        return html`<section aria-labelledby="h-plan"><h2 id="h-plan">${l('planHeading')}</h2>
<p class="lead">${plan.title}</p>
<dl id="plan-decision">
<dt>${l('version')}</dt><dd>${l('versionN', { version: plan.version })}</dd>
<dt>${l('adoptedBy')}</dt><dd>${plan.adoptedBy}</dd>
<dt>${l('reference')}</dt><dd>${plan.reference}</dd>
<dt>${l('decisionDate')}</dt><dd>${plan.decisionDate}</dd>
<dt>${l('nextRevisionDue')}</dt><dd id="next-revision" data-date="${plan.nextRevisionDue}">${plan.nextRevisionDue}${plan.revisionOverdue ? html` <strong class="tag overdue">${l('revisionOverdue')}</strong>` : ''}</dd>
</dl>
<h3>${l('goalsHeading')}</h3>
${horizons.map(
  (h) =>
    html`<h4>${l('withinYears', { years: h })}</h4><ul class="goals">${plan.goals
      .filter((g) => g.horizonYears === h)
      .map(
        (g) =>
          html`<li data-goal="${g.id}"><p>${g.title}</p><p class="meta">${l('targetYearIs', { year: g.targetYear })}${g.areas.length ? ` · ${l('areasAre', { areas: g.areas.map((a) => a.label).join(', ') })}` : ''}</p></li>`,
      )}</ul>`,
)}
</section>
<section aria-labelledby="h-indicators"><h2 id="h-indicators">${l('indicatorsHeading')}</h2>
${plan.indicators.length ? plan.indicators.map(indicatorHtml) : html`<p>${l('noIndicators')}</p>`}
</section>
<section aria-labelledby="h-assignments"><h2 id="h-assignments">${l('assignmentsHeading')}</h2>
${
  plan.assignments.length === 0
    ? html`<p>${l('noAssignments')}</p>`
    : html`<p id="overdue-count">${overdue.length ? l('overdueCount', { count: overdue.length, total: plan.assignments.length }) : l('noneOverdue')}</p>
<table id="assignments" class="stack wide">
<caption>${l('assignmentsHeading')}</caption>
<thead><tr><th scope="col">${l('assignment')}</th><th scope="col">${l('responsible')}</th><th scope="col">${l('due')}</th><th scope="col">${l('status')}</th></tr></thead>
<tbody>
${plan.assignments.map(
  (a) =>
    html`<tr data-assignment="${a.id}" data-overdue="${String(a.overdue)}"><th scope="row">${a.title}</th><td data-label="${l('responsible')}">${a.responsible}</td><td data-label="${l('due')}">${a.due.label ?? (a.due.from === a.due.to ? a.due.from : `${a.due.from} – ${a.due.to}`)}${a.overdue ? html` <strong class="tag overdue">${l('overdue')}</strong>` : ''}</td><td data-label="${l('status')}">${t(lang, `plan.statuses.${a.status}`)}</td></tr>\n`,
)}
</tbody>
</table>`
}
</section>`;
      })()
    : html`<section aria-labelledby="h-plan"><h2 id="h-plan">${l('planHeading')}</h2><p id="no-plan">${l('noPlan')}</p></section>`;

  // ---- the money -----------------------------------------------------------------------------
  const figures = [...CHARTED_MONEY, ...MONEY_FIGURES.filter((f) => !(CHARTED_MONEY as readonly string[]).includes(f))];
  const moneyCell = (ore: number, figure: string, noPool: boolean) => {
    const name = l(`figures.${figure}`);
    return noPool
      ? html`<td class="num" data-label="${name}" data-value="0" data-ore="0">–</td>`
      : html`<td class="num" data-label="${name}" data-value="${String(ore / 100)}" data-ore="${ore}" data-field="${figure}">${formatOre(ore + 0, lang)}</td>`;
  };
  const moneyTable = html`<table id="money" class="stack wide chart-data" data-chart="money">
<caption>${l('moneyCaption')}</caption>
<thead><tr><th scope="col">${l('year')}</th>${figures.map((f) => html`<th scope="col" class="num">${l(`figures.${f}`)}</th>`)}</tr></thead>
<tbody>
${report.money.years.map(
  (y) =>
    html`<tr data-year="${y.year}"><th scope="row">${yearsWithReport.has(y.year) ? html`<a href="${reportPagePath(programmeId, y.year)}">${y.year}<span class="visually-hidden"> (${l('yearReport', { year: y.year })})</span></a>` : html`${y.year}<br><span class="meta">${l('noPoolYear')}</span>`}</th>${figures.map((f) => moneyCell(y[f], f, y.pools === 0))}</tr>\n`,
)}
</tbody>
<tfoot><tr><th scope="row">${l('total')}</th>${figures.map((f) => html`<td class="num" data-label="${l(`figures.${f}`)}" data-total="${f}" data-ore="${report.money.totals[f]}">${formatOre(report.money.totals[f] + 0, lang)}</td>`)}</tr></tfoot>
</table>`;

  // ---- the page ------------------------------------------------------------------------------
  const years = Array.from({ length: programmeYears.last - programmeYears.first + 1 }, (_, i) => programmeYears.first + i);
  const select = (name: 'from' | 'to', chosen: number) =>
    html`<div><label for="years-${name}">${l(name)}</label><select id="years-${name}" name="${name}">${years.map(
      (y) => html`<option value="${y}"${y === chosen ? raw(' selected') : ''}>${y}</option>`,
    )}</select></div>`;
  return html`<h1>${multiYearTitle(report)}</h1>
<p class="meta">${report.programme.organisation}. ${l('generated', { date: report.asOf })}</p>
<p>${l('intro')}</p>
<ul class="inline no-print" id="downloads">
<li><a href="${multiYearDataPath(programmeId, report.fromYear, report.toYear, 'xlsx')}" download>${l('downloadXlsx')}</a></li>
<li><a href="${multiYearDataPath(programmeId, report.fromYear, report.toYear, 'csv')}" download>${l('downloadCsv')}</a></li>
<li><a href="${multiYearDataPath(programmeId, report.fromYear, report.toYear, 'json')}">${l('downloadJson')}</a></li>
<li><button type="button" id="print" class="link" hidden>${l('print')}</button></li>
</ul>
<form method="get" action="${multiYearPagePath(programmeId)}" class="filters no-print" aria-label="${l('chooseYears')}">
${select('from', report.fromYear)}${select('to', report.toYear)}
<div><button type="submit" class="secondary">${l('show')}</button></div>
</form>
${planHtml}
<section aria-labelledby="h-money"><h2 id="h-money">${l('moneyHeading')}</h2>
<p>${l('moneyExplained')}</p>
${charted('money', moneyTable)}
</section>
<script src="${ASSETS.print.url}" defer></script>`;
}
