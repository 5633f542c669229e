import { t, type Language } from '../i18n/index.js';
import type { Privacy } from '../privacy/service.js';
import { dateTime } from './dates.js';
import { fileSize } from './documents.js';
import { html, type SafeHtml } from './html.js';

/*
 * What Satsa holds about a person, as a page to read (the same as the JSON file, in words):
 * the account, roles, cases, what they wrote, documents, drafts, e-mails and log-ins. No
 * internal name of a table or event is shown: events by their label, e-mails by their subject.
 */

export type PersonData = ReturnType<Privacy['exportPerson']>;
export type ErasurePreview = ReturnType<Privacy['erasurePreview']>;

const none = (lang: Language) => html`<p>${t(lang, 'privacy.none')}</p>`;

export function personDataBody(lang: Language, data: PersonData, o: { download: string; programmeName: (id: string) => string }): SafeHtml {
  const p = (key: string, params?: Record<string, string | number>) => t(lang, `privacy.${key}`, params);
  const when = (at: string | null | undefined) => (at ? dateTime(lang, at) : '–');
  const caseTitle = new Map(data.cases.map((c) => [c.id, `${c.diaryNumber} ${c.title}`]));
  const relation = (r: string | null) => p(`relation.${r ?? 'acted'}`);
  const other = Object.values(data.otherRecords).reduce((n, rows) => n + rows.length, 0);
  return html`<p>${p('intro', { date: when(data.exportedAt) })}</p>
<p><a class="button secondary" href="${o.download}" download>${p('download')}</a></p>
<h2>${p('account')}</h2>
<dl>
<dt>${p('name')}</dt><dd>${data.person.displayName}</dd>
<dt>${t(lang, 'web.email')}</dt><dd>${data.person.email}</dd>
<dt>${p('created')}</dt><dd>${when(data.person.createdAt)}</dd>
<dt>${p('rolesLabel')}</dt><dd>${
    data.roles.length
      ? html`<ul class="plain">${data.roles.map((r) => html`<li>${t(lang, `roles.${r.role}`)} (${o.programmeName(r.programmeId)})</li>`)}</ul>`
      : p('noRoles')
  }</dd>
</dl>
<h2>${p('cases')}</h2>
${
  data.cases.length
    ? html`<table><caption class="visually-hidden">${p('cases')}</caption><thead><tr><th scope="col">${p('case')}</th><th scope="col">${p('relationLabel')}</th><th scope="col">${p('recorded')}</th></tr></thead><tbody>${data.cases.map(
        (c) =>
          html`<tr><td><a href="/cases/${c.id}">${c.diaryNumber}</a> ${c.title}</td><td>${relation(c.relation)}</td><td>${
            c.events.length
              ? html`<ul class="plain">${c.events.map((e) => html`<li>${e.type === 'CASE_CREATED' ? t(lang, 'steps.1') : t(lang, `events.${e.type}`)}, ${when(e.at)}</li>`)}</ul>`
              : '–'
          }</td></tr>`,
      )}</tbody></table>`
    : none(lang)
}
<h2>${p('comments')}</h2>
${
  data.comments.length
    ? html`<ul class="plain">${data.comments.map(
        (c) => html`<li><p class="meta">${caseTitle.get(c.caseId) ?? ''}, ${when(c.createdAt)}</p><p class="text">${c.body}</p></li>`,
      )}</ul>`
    : none(lang)
}
<h2>${p('documents')}</h2>
${
  data.documents.length
    ? html`<ul class="plain">${data.documents.map(
        (d) => html`<li>${d.fileName} (${fileSize(lang, d.size)}), ${caseTitle.get(d.caseId) ?? ''}, ${when(d.addedAt)}</li>`,
      )}</ul>`
    : none(lang)
}
<h2>${p('drafts')}</h2>
${
  data.drafts.length
    ? html`<ul class="plain">${data.drafts.map(
        (d) => html`<li>${caseTitle.get(d.caseId) ?? ''}, ${p('savedAt', { date: when(d.updatedAt) })}</li>`,
      )}</ul>`
    : none(lang)
}
<h2>${p('emails')}</h2>
${
  data.emails.length
    ? html`<table><caption class="visually-hidden">${p('emails')}</caption><thead><tr><th scope="col">${p('emailSubject')}</th><th scope="col">${p('emailTo')}</th><th scope="col">${p('emailSent')}</th></tr></thead><tbody>${data.emails.map(
        (m) =>
          html`<tr><td>${t(lang, `notifications.${m.kind}`) === `notifications.${m.kind}` ? p('emailOther') : t(lang, `notifications.${m.kind}`)}</td><td>${m.to}</td><td>${m.sentAt ? when(m.sentAt) : p('notSent')}</td></tr>`,
      )}</tbody></table>`
    : none(lang)
}
<h2>${p('logins')}</h2>
<ul class="plain">
<li>${p('sessions', { n: data.logins.sessions.length })}</li>
<li>${p('failed', { n: data.logins.failedAttempts.length })}</li>
<li>${p('tokens', { n: data.logins.tokens.length })}</li>
</ul>
<h2>${p('other')}</h2>
<p>${p('otherText', { n: other })}</p>`;
}

/** What an erasure would change, in words, or why it cannot be done yet. */
export function erasureSummary(lang: Language, preview: ErasurePreview): SafeHtml {
  const p = (key: string, params?: Record<string, string | number>) => t(lang, `privacy.${key}`, params);
  if (!preview.allowed) {
    return html`<div class="warning-text" role="alert"><p>${p('keptIntro')}</p></div>
<ul class="plain">${preview.mustKeep.map((k) => html`<li>${k.diaryNumber}: ${p(`kept.${k.reason}`)}</li>`)}</ul>`;
  }
  const c = preview.changes;
  return html`<p>${p('changesIntro')}</p>
<ul>
<li>${p('changes.account')}</li>
<li>${p('changes.cases', { n: c.cases })}</li>
<li>${p('changes.texts', { n: c.textsMadeUnreadable })}</li>
<li>${p('changes.comments', { n: c.comments })}</li>
<li>${p('changes.documents', { n: c.documents })}</li>
<li>${p('changes.drafts', { n: c.drafts })}</li>
<li>${p('changes.emails', { n: c.emails, files: c.emailFiles })}</li>
<li>${p('changes.logins', { n: c.logins })}</li>
<li>${p('changes.other', { n: c.otherRecords })}</li>
</ul>
<p>${p('keeps')}</p>`;
}
