import { DOCUMENT_TYPES, type DocumentType } from '../documents/files.js';
import type { DocumentView } from '../documents/service.js';
import { t, type Language } from '../i18n/index.js';
import { dateTime } from './dates.js';
import { html, raw, written, type SafeHtml } from './html.js';
import { backLink, field } from './questions.js';

/*
 * Documents on the case page: the list (name, type, size, who, when, why, where it stands),
 * each downloadable; the form that adds one (multipart, its CSRF token first); and the page
 * that withdraws one, with a reason, after a warning that it cannot be undone.
 */

export interface DocumentsSectionInput {
  caseId: string;
  csrfToken: string;
  items: DocumentView[];
  /** The largest file taken, in bytes. */
  maxBytes: number;
  /** Whether the reader may withdraw a document (their own, or any as a county coordinator or administrator). */
  mayWithdraw: (doc: DocumentView) => boolean;
}

/** A size as people read it: kB below a megabyte, MB with one decimal above. */
export function fileSize(lang: Language, bytes: number): string {
  const decimal = (n: number) => (lang === 'sv' ? String(n).replace('.', ',') : String(n));
  if (bytes < 1024 * 1024) return t(lang, 'documents.size.kb', { n: Math.max(1, Math.round(bytes / 1024)) });
  return t(lang, 'documents.size.mb', { n: decimal(Math.round((bytes / 1024 / 1024) * 10) / 10) });
}

const megabytes = (lang: Language, bytes: number) => {
  const n = Math.round((bytes / 1024 / 1024) * 10) / 10;
  return lang === 'sv' ? String(n).replace('.', ',') : String(n);
};

const typeLabel = (lang: Language, mediaType: string) =>
  mediaType in DOCUMENT_TYPES ? t(lang, `documents.types.${DOCUMENT_TYPES[mediaType as DocumentType]}`) : mediaType;

export const downloadHref = (caseId: string, documentId: string) => `/api/cases/${caseId}/documents/${documentId}/file`;

function statusCell(lang: Language, doc: DocumentView, byId: Map<string, DocumentView>): SafeHtml {
  const newer = doc.replacedById ? byId.get(doc.replacedById) : undefined;
  const older = doc.replacesId ? byId.get(doc.replacesId) : undefined;
  const unknown = t(lang, 'documents.unknownPerson');
  return html`<strong class="tag tag-${doc.status}">${doc.statusLabel}</strong>
${newer ? html`<br><span class="meta">${t(lang, 'documents.replacedBy', { name: newer.fileName })}</span>` : ''}
${older ? html`<br><span class="meta">${t(lang, 'documents.replaces', { name: older.fileName })}</span>` : ''}
${doc.withdrawn ? html`<br><span class="meta text">${t(lang, 'documents.withdrawnBecause', { name: doc.withdrawn.by.displayName ?? unknown, date: dateTime(lang, doc.withdrawn.at), reason: doc.withdrawn.reason })}</span>` : ''}`;
}

/** The upload form: the file, why it is added, and the button. `error` is shown at the file input. */
export function uploadForm(
  lang: Language,
  o: {
    caseId: string;
    csrfToken: string;
    maxBytes: number;
    error?: string;
    description?: string;
    descriptionError?: string;
    /** The current documents the person may replace with the new one. */
    replaceable?: { id: string; fileName: string }[];
  },
): SafeHtml {
  const replaceable = o.replaceable ?? [];
  const replaces = replaceable.length
    ? html`<div class="field"><label for="document-replaces">${t(lang, 'documents.upload.replaces')}</label>
<p class="help" id="document-replaces-hint">${t(lang, 'documents.upload.replacesHint')}</p>
<select id="document-replaces" name="replaces" aria-describedby="document-replaces-hint"><option value="">${t(lang, 'documents.upload.replacesNone')}</option>${replaceable.map(
        (d) => html`<option value="${d.id}">${d.fileName}</option>`,
      )}</select></div>`
    : '';
  const fileDescribed = ['document-file-hint', ...(o.error ? ['document-file-error'] : [])].join(' ');
  return html`<form method="post" action="/cases/${o.caseId}/documents" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${o.csrfToken}">
<div class="field${o.error ? ' has-error' : ''}"><label for="document-file">${t(lang, 'documents.upload.file')}</label>
<p class="help" id="document-file-hint">${t(lang, 'documents.upload.hint', { max: megabytes(lang, o.maxBytes) })}</p>
${o.error ? html`<p class="field-error" id="document-file-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${o.error}</p>` : ''}
<input type="file" id="document-file" name="file" aria-describedby="${fileDescribed}"${o.error ? raw(' aria-invalid="true"') : ''}></div>
<div class="field${o.descriptionError ? ' has-error' : ''}"><label for="document-description">${t(lang, 'documents.upload.description')}</label>
<p class="help" id="document-description-hint">${t(lang, 'documents.upload.descriptionHint')}</p>
${o.descriptionError ? html`<p class="field-error" id="document-description-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${o.descriptionError}</p>` : ''}
<textarea id="document-description" name="description" rows="3" maxlength="2000" aria-describedby="document-description-hint${o.descriptionError ? ' document-description-error' : ''}">${o.description ?? ''}</textarea></div>
${replaces}
<p><button type="submit">${t(lang, 'documents.upload.submit')}</button></p>
</form>`;
}

/** The error summary of a form whose errors are at the inputs named (GOV.UK: each links to its input). */
export function documentErrorSummary(lang: Language, errors: { href: string; text: string }[]): SafeHtml | '' {
  if (errors.length === 0) return '';
  return html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="document-errors">
<h2>${t(lang, 'documents.errors.summary')}</h2><ul>${errors.map((e) => html`<li><a href="${e.href}">${e.text}</a></li>`)}</ul></div>`;
}

/** The documents section of the case page. */
export function documentsSection(lang: Language, i: DocumentsSectionInput): SafeHtml {
  const byId = new Map(i.items.map((d) => [d.id, d]));
  const unknown = t(lang, 'documents.unknownPerson');
  const c = (key: string) => t(lang, `documents.columns.${key}`);
  const rows = i.items.map(
    (d) => html`<tr>
<td><a href="${downloadHref(i.caseId, d.id)}" download><span class="visually-hidden">${t(lang, 'documents.download')} </span>${written(lang, d.fileName)}</a></td>
<td>${typeLabel(lang, d.mediaType)}</td><td>${fileSize(lang, d.size)}</td>
<td>${d.addedBy.displayName ?? unknown}</td><td>${dateTime(lang, d.addedAt)}</td>
<td>${written(lang, d.description)}</td>
<td>${statusCell(lang, d, byId)}${
      d.status === 'current' && i.mayWithdraw(d)
        ? html`<br><a href="/cases/${i.caseId}/documents/${d.id}/withdraw">${t(lang, 'documents.withdrawLink')}<span class="visually-hidden"> ${t(lang, 'documents.withdrawLinkHidden', { name: d.fileName })}</span></a>`
        : ''
    }</td></tr>`,
  );
  const table = i.items.length
    ? html`<table><caption class="visually-hidden">${t(lang, 'documents.heading')}</caption>
<thead><tr><th scope="col">${c('name')}</th><th scope="col">${c('type')}</th><th scope="col">${c('size')}</th><th scope="col">${c('addedBy')}</th><th scope="col">${c('addedAt')}</th><th scope="col">${c('description')}</th><th scope="col">${c('status')}</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : html`<p>${t(lang, 'documents.none')}</p>`;
  return html`<section aria-labelledby="documents"><h2 id="documents">${t(lang, 'documents.heading')}</h2>
<p>${t(lang, 'documents.lead')}</p>
${table}
<h3>${t(lang, 'documents.upload.heading')}</h3>
${uploadForm(lang, {
  caseId: i.caseId,
  csrfToken: i.csrfToken,
  maxBytes: i.maxBytes,
  replaceable: i.items.filter((d) => d.status === 'current' && i.mayWithdraw(d)),
})}
</section>`;
}

/** The page that adds a document, shown again with its errors when a file was refused. */
export function uploadPage(
  lang: Language,
  o: {
    caseId: string;
    caseTitle: string;
    csrfToken: string;
    maxBytes: number;
    error?: string;
    description?: string;
    descriptionError?: string;
  },
): { title: string; body: SafeHtml } {
  const title = t(lang, 'documents.upload.heading');
  const errors = [
    ...(o.error ? [{ href: '#document-file', text: o.error }] : []),
    ...(o.descriptionError ? [{ href: '#document-description', text: o.descriptionError }] : []),
  ];
  const body = html`${backLink(`/cases/${o.caseId}#documents`, o.caseTitle)}
${documentErrorSummary(lang, errors)}
<h1>${title}</h1>
${uploadForm(lang, o)}`;
  return { title, body };
}

/** The page that withdraws a document: what it is, the warning, the reason, the button. */
export function withdrawPage(
  lang: Language,
  o: { caseId: string; caseTitle: string; csrfToken: string; document: DocumentView; reason?: string; error?: string },
): { title: string; body: SafeHtml } {
  const title = t(lang, 'documents.withdraw.title');
  const d = o.document;
  const body = html`${backLink(`/cases/${o.caseId}#documents`, o.caseTitle)}
${documentErrorSummary(lang, o.error ? [{ href: '#withdraw-reason', text: o.error }] : [])}
<h1>${title}</h1>
<p>${t(lang, 'documents.withdraw.lead', { name: d.fileName, person: d.addedBy.displayName ?? t(lang, 'documents.unknownPerson'), date: dateTime(lang, d.addedAt) })}</p>
<div class="alert" role="note"><p><strong><span class="visually-hidden">${t(lang, 'documents.withdraw.warningPrefix')}: </span>${t(lang, 'documents.withdraw.warning')}</strong></p></div>
<form method="post" action="/cases/${o.caseId}/documents/${d.id}/withdraw" novalidate>
<input type="hidden" name="_csrf" value="${o.csrfToken}">
${field({ lang, id: 'withdraw-reason', name: 'reason', label: t(lang, 'documents.withdraw.reason'), hint: t(lang, 'documents.withdraw.reasonHint'), value: o.reason, error: o.error, multiline: true, maxlength: 2000 })}
<div class="button-group"><button type="submit" class="warning">${t(lang, 'documents.withdraw.submit')}</button><a href="/cases/${o.caseId}#documents">${t(lang, 'documents.withdraw.cancel')}</a></div>
</form>`;
  return { title, body };
}
