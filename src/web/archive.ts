import type { Archive, ArchiveRenderer } from '../archive/service.js';
import { documentFileName, type PackageRenderings } from '../archive/package.js';
import { t, type Language } from '../i18n/index.js';
import { historyTable, printPage } from './case-page.js';
import { dateTime } from './dates.js';
import { html, raw, written, type SafeHtml } from './html.js';
import { backLink, notice } from './questions.js';

/*
 * The e-archive in HTML: the pages a package holds (the case as its print page shows it, its
 * history, and what the package is), standalone and in Swedish, the records creator's
 * language; and the administrator's page of the programme's closed cases and deliveries.
 */

/** A page of a package: a whole document, its style inside (it is read outside Satsa, with no server). */
function standalone(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>${raw('body{font-family:Arial,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.45;color:#0b0c0c}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #b1b4b6;padding:.4em;text-align:left;vertical-align:top}.meta{color:#505a5f}.visually-hidden{position:absolute;left:-9999px}dt{font-weight:bold}')}</style>
</head><body><main>${body}</main></body></html>
`.toString();
}

type RenderInput = Parameters<ArchiveRenderer>[0] & { names: Map<string, string> };

/** The three pages of a package (src/archive/package.ts names where each goes). */
export function archiveRepresentation(i: RenderInput): PackageRenderings {
  const lang: Language = 'sv';
  const a = (key: string, params?: Record<string, string | number>) => t(lang, `archive.package.${key}`, params);
  const print = printPage({ lang, view: i.view, config: i.config, names: i.names });
  // The print page's link back into Satsa means nothing in the archive.
  const printed = print.body.toString().replace(/<p class="no-print">[\s\S]*?<\/p>\n?/, '');
  const documents = i.documents.length
    ? html`<table><caption>${a('documents')}</caption><thead><tr><th scope="col">${a('file')}</th><th scope="col">${a('added')}</th><th scope="col">${a('status')}</th></tr></thead>
<tbody>${i.documents.map(
        (d, n) =>
          html`<tr><td><a href="dokument/${documentFileName(n, d.fileName)}">${d.fileName}</a>${d.description ? html`<br><span class="meta">${d.description}</span>` : ''}</td><td>${dateTime(lang, d.addedAt)}, ${d.addedBy.displayName ?? '–'}</td><td>${d.statusLabel}</td></tr>`,
      )}</tbody></table>`
    : html`<p>${a('noDocuments')}</p>`;
  const outcome = html`<section><h2>${a('outcome')}</h2><p>${i.view.outcomeLabel ?? ''}</p></section>`;
  const caseHtml = standalone(
    `${i.view.diaryNumber} ${i.view.title}`,
    html`${raw(printed)}${outcome}<section><h2>${a('documents')}</h2>${documents}</section><p><a href="historik.html">${a('historyLink')}</a></p>`,
  );
  const historyHtml = standalone(
    a('historyTitle', { diaryNumber: i.view.diaryNumber }),
    html`<h1>${a('historyTitle', { diaryNumber: i.view.diaryNumber })}</h1><p>${written(lang, i.view.title)}</p>${historyTable(lang, i.history)}<p><a href="arende.html">${a('caseLink')}</a></p>`,
  );
  const aboutHtml = standalone(
    a('aboutTitle'),
    html`<h1>${a('aboutTitle')}</h1>
<p>${a('aboutIntro', { diaryNumber: i.view.diaryNumber, programme: i.config.name.sv, id: i.objid, date: dateTime(lang, i.createdAt) })}</p>
<ul>
<li><code>METS.xml</code>: ${a('aboutMets')}</li>
<li><code>metadata/descriptive/ERMS.xml</code>: ${a('aboutErms')}</li>
<li><code>metadata/preservation/premis.xml</code>: ${a('aboutPremis')}</li>
<li><code>representations/rep1/data/arende.html</code>, <code>historik.html</code>: ${a('aboutHtml')}</li>
<li><code>representations/rep1/data/dokument/</code>: ${a('aboutDocuments')}</li>
<li><code>schemas/</code>: ${a('aboutSchemas')}</li>
</ul>
<p>${a('aboutChecksums')}</p>`,
  );
  return { caseHtml, historyHtml, aboutHtml };
}

// ---------------------------------------------------------------------------------------
// The administrator's page

type ClosedCases = ReturnType<Archive['closedCases']>;
type Deliveries = ReturnType<Archive['deliveries']>;

export interface ArchivePageInput {
  lang: Language;
  csrfToken: string;
  programmeName: string;
  closed: ClosedCases;
  deliveries: Deliveries;
  /** After a delivery: how many packages were made. */
  delivered?: number;
}

/** The closed cases (delivered or not), delivery of one or of a year, and what was delivered. */
export function archivePage(i: ArchivePageInput): { title: string; body: SafeHtml } {
  const { lang } = i;
  const s = (key: string, params?: Record<string, string | number>) => t(lang, `archive.page.${key}`, params);
  const title = s('title');
  if (!i.closed.configured) {
    return { title, body: html`<h1>${title}</h1><p>${s('notConfigured')}</p>` };
  }
  const years = [...new Set(i.closed.items.map((c) => Number(c.closedAt.slice(0, 4))))].sort((a, b) => b - a);
  const rows = i.closed.items.map(
    (c) => html`<tr><td data-label="${s('diaryNumber')}">${c.diaryNumber}</td><td data-label="${s('case')}">${written(lang, c.title)}</td>
<td data-label="${s('closed')}">${dateTime(lang, c.closedAt)}<br><span class="meta">${c.outcomeLabel}</span></td>
<td data-label="${s('delivered')}">${c.lastDelivery ? dateTime(lang, c.lastDelivery.deliveredAt) : s('notDelivered')}</td>
<td data-label="${s('actions')}"><ul class="plain"><li><a href="/api/cases/${c.caseId}/archive-package" download>${s('look')}<span class="visually-hidden"> ${c.diaryNumber}</span></a></li>
<li><a href="/programme/archive/deliver?case=${c.caseId}">${s('deliverOne')}<span class="visually-hidden"> ${c.diaryNumber}</span></a></li></ul></td></tr>`,
  );
  const closed = i.closed.items.length
    ? html`<table><caption class="visually-hidden">${s('closedTitle')}</caption><thead><tr><th scope="col">${s('diaryNumber')}</th><th scope="col">${s('case')}</th><th scope="col">${s('closed')}</th><th scope="col">${s('delivered')}</th><th scope="col">${s('actions')}</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>${s('noneClosed')}</p>`;
  const yearForm = years.length
    ? html`<form method="get" action="/programme/archive/deliver" novalidate>
<div class="field"><label for="year">${s('yearLabel')}</label><select id="year" name="year">${years.map((y) => html`<option value="${y}">${y}</option>`)}</select></div>
<button type="submit">${s('yearButton')}</button></form>`
    : '';
  const delivered = i.deliveries.items.length
    ? html`<table><caption class="visually-hidden">${s('deliveriesTitle')}</caption><thead><tr><th scope="col">${s('when')}</th><th scope="col">${s('case')}</th><th scope="col">${s('package')}</th><th scope="col">${s('checksum')}</th></tr></thead>
<tbody>${i.deliveries.items.map(
        (
          d,
        ) => html`<tr><td data-label="${s('when')}">${dateTime(lang, d.deliveredAt)}</td><td data-label="${s('case')}">${d.diaryNumber} ${written(lang, d.title)}</td>
<td data-label="${s('package')}"><a href="/api/programmes/${i.deliveries.programmeId}/archive-deliveries/${d.id}/package" download>${s('download')}<span class="visually-hidden"> ${d.diaryNumber}</span></a> <span class="meta">(${s('size', { size: (d.size / 1024).toFixed(0) })})</span></td>
<td data-label="${s('checksum')}"><code class="checksum">${d.sha256}</code></td></tr>`,
      )}</tbody></table>`
    : html`<p>${s('noneDelivered')}</p>`;
  const body = html`${notice(i.delivered !== undefined ? s('done', { count: i.delivered }) : undefined)}<h1>${title}</h1>
<p>${s('intro', { programme: i.programmeName })}</p>
<h2>${s('closedTitle')}</h2>${closed}
${yearForm ? html`<h2>${s('yearTitle')}</h2><p>${s('yearIntro')}</p>${yearForm}` : ''}
<h2>${s('deliveriesTitle')}</h2>${delivered}`;
  return { title, body };
}

/** The check before a delivery is recorded: which cases, and that it is the act the archive rules rely on. */
export function confirmPage(
  lang: Language,
  csrfToken: string,
  what: { caseId?: string; year?: number; cases: { diaryNumber: string; title: string }[] },
): { title: string; body: SafeHtml } {
  const s = (key: string, params?: Record<string, string | number>) => t(lang, `archive.page.${key}`, params);
  const title = what.year !== undefined ? s('confirmYearTitle', { year: what.year }) : s('confirmOneTitle');
  const body = html`${backLink('/programme/archive', s('back'))}<h1>${title}</h1>
${what.cases.length ? html`<ul>${what.cases.map((c) => html`<li>${c.diaryNumber} ${written(lang, c.title)}</li>`)}</ul>` : html`<p>${s('noneInYear')}</p>`}
${
  what.cases.length
    ? html`<p>${s('confirmText')}</p>
<form method="post" action="/programme/archive/deliver" novalidate><input type="hidden" name="_csrf" value="${csrfToken}">
${what.caseId ? html`<input type="hidden" name="case" value="${what.caseId}">` : html`<input type="hidden" name="year" value="${String(what.year)}">`}
<button type="submit">${s('confirmButton')}</button></form>`
    : ''
}
<p><a href="/programme/archive">${s('cancel')}</a></p>`;
  return { title, body };
}
