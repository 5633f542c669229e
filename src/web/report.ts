import { t, type Language } from '../i18n/index.js';
import { escapeHtml } from '../mail/render.js';
import { formatOre } from '../money/format.js';
import { ASSETS } from './assets.js';
import type { YearReport } from '../reports/programme-year.js';

/*
 * The programme-year report as a printable, accessible HTML page: the same report object
 * as the JSON and the CSV (src/reports/csv.ts), so their figures cannot disagree.
 */

export function reportHtml(report: YearReport, generatedAt: Date): string {
  const lang: Language = report.language;
  const l = (key: string, params?: Record<string, string | number>) => escapeHtml(t(lang, `reports.${key}`, params));
  const money = (ore: number, field: string) =>
    `<td class="num" data-field="${field}" data-ore="${ore}">${escapeHtml(formatOre(ore, lang))}</td>`;
  const tot = report.totals;
  const title = `${escapeHtml(report.programme.name)} – ${l('title', { year: report.year })}`;
  const indicatorList = (i: YearReport['initiatives'][number]) =>
    i.indicators.length === 0
      ? ''
      : `<ul>${i.indicators
          .map(
            (ind) =>
              `<li>${escapeHtml(ind.name)}: ${ind.value === null ? l('notReported') : `${ind.value} ${escapeHtml(ind.unit)}`} (${l('target')} ${ind.target} ${escapeHtml(ind.unit)}${ind.baseline === null ? '' : `, ${l('baseline')} ${ind.baseline}`})${ind.reached === null ? '' : ` – ${l('reached')}: ${ind.reached ? l('yes') : l('no')}`}</li>`,
          )
          .join('')}</ul>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${ASSETS.report.url}">
<script src="${ASSETS.print.url}" defer></script>
</head>
<body>
<main>
<h1>${title}</h1>
<p>${escapeHtml(report.programme.organisation)}. ${l('generated', { date: generatedAt.toISOString().slice(0, 10) })}.</p>
<p class="no-print"><button type="button" id="print" hidden>${l('print')}</button></p>

<table id="totals">
<caption>${l('pools')}</caption>
<thead><tr><th scope="col">${l('pool')}</th><th scope="col" class="num">${l('amount')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('remaining')}</th></tr></thead>
<tbody>
${report.pools.map((p) => `<tr><th scope="row">${escapeHtml(p.name)}</th>${money(p.amountOre, 'poolOre')}${money(p.committedOre, 'committedOre')}${money(p.remainingOre, 'remainingOre')}</tr>`).join('\n')}
</tbody>
<tfoot><tr><th scope="row">${l('total')}</th>${money(tot.poolOre, 'totalPoolOre')}${money(tot.committedOre, 'totalCommittedOre')}${money(tot.remainingOre, 'totalRemainingOre')}</tr></tfoot>
</table>

<table id="initiatives">
<caption>${l('initiatives')} (${tot.initiatives})</caption>
<thead><tr><th scope="col">${l('diaryNumber')}</th><th scope="col">${l('initiative')}</th><th scope="col">${escapeHtml(report.programme.taxonomy)}</th><th scope="col">${l('scope')}</th><th scope="col">${l('state')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('spent')}</th><th scope="col">${l('indicators')}</th></tr></thead>
<tbody>
${report.initiatives
  .map(
    (i) =>
      `<tr data-case="${escapeHtml(i.diaryNumber)}"><td>${escapeHtml(i.diaryNumber)}</td><th scope="row">${escapeHtml(i.title)}</th><td>${escapeHtml(i.priorityArea)}</td><td>${escapeHtml(i.scope)}</td><td>${escapeHtml(i.state)}</td>${money(i.grantedOre, 'grantedOre')}${money(i.spentOre, 'spentOre')}<td>${indicatorList(i)}</td></tr>`,
  )
  .join('\n')}
</tbody>
<tfoot><tr><th scope="row" colspan="5">${l('total')}</th>${money(tot.committedOre, 'sumGrantedOre')}${money(tot.spentOre, 'totalSpentOre')}<td></td></tr></tfoot>
</table>

<table id="by-area">
<caption>${l('byArea')}</caption>
<thead><tr><th scope="col">${escapeHtml(report.programme.taxonomy)}</th><th scope="col" class="num">${l('count')}</th><th scope="col" class="num">${l('committed')}</th><th scope="col" class="num">${l('spent')}</th></tr></thead>
<tbody>
${report.byPriorityArea.map((a) => `<tr><th scope="row">${escapeHtml(a.label)}</th><td class="num">${a.initiatives}</td>${money(a.grantedOre, 'areaGrantedOre')}${money(a.spentOre, 'areaSpentOre')}</tr>`).join('\n')}
</tbody>
</table>

<table id="by-state">
<caption>${l('byState')}</caption>
<thead><tr><th scope="col">${l('state')}</th><th scope="col" class="num">${l('count')}</th></tr></thead>
<tbody>
${report.byState.map((s) => `<tr><th scope="row">${escapeHtml(s.label)}</th><td class="num">${s.count}</td></tr>`).join('\n')}
</tbody>
</table>

<h2>${l('recommended')}</h2>
${
  report.recommendedForImplementationOrScaleUp.length === 0
    ? `<p>${l('none')}</p>`
    : `<ul id="recommended">${report.recommendedForImplementationOrScaleUp
        .map((r) => `<li>${escapeHtml(r.diaryNumber)} ${escapeHtml(r.title)}: ${l(r.recommendation ?? 'none')}</li>`)
        .join('')}</ul>`
}
</main>
</body>
</html>
`;
}
