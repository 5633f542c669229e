import type { Conversation } from '../conversation/service.js';
import { t, type Language } from '../i18n/index.js';
import { dateTime } from './dates.js';
import { html, raw, written, type SafeHtml } from './html.js';

/*
 * The conversation on the case page: the comments the reader may see (the staff's internal
 * ones clearly marked), a form to write one (the staff choose shared or internal), following
 * the case, and who its guests are; and the pages to invite a guest (a form, then a check).
 */

export interface ConversationInput {
  comments: ReturnType<Conversation['list']>;
  following: ReturnType<Conversation['following']>;
  guests: ReturnType<Conversation['guests']>;
}

/** What a comment form was sent back with. */
export interface CommentFormState {
  body: string;
  visibility: string;
  errors: { field: 'body' | 'visibility'; message: string }[];
}

/** The text field and, for the staff, the choice of who reads it. */
export function commentForm(lang: Language, caseId: string, csrfToken: string, staff: boolean, state?: CommentFormState): SafeHtml {
  const error = (field: string) => state?.errors.find((e) => e.field === field)?.message;
  const errorText = (id: string, message: string | undefined) =>
    message
      ? html`<p class="field-error" id="${id}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${message}</p>`
      : '';
  const summary = state?.errors.length
    ? html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="comment-errors">
<p>${t(lang, 'web.errorSummary', { count: state.errors.length })}</p><ul>${state.errors.map((e) => html`<li><a href="#comment-${e.field}">${e.message}</a></li>`)}</ul></div>`
    : '';
  const bodyError = error('body');
  const visibilityError = error('visibility');
  const described = ['comment-body-help', bodyError ? 'comment-body-error' : ''].filter(Boolean).join(' ');
  const chosen = state?.visibility ?? 'shared';
  const choice = staff
    ? html`<fieldset id="comment-visibility" class="choices"${visibilityError ? raw(' aria-describedby="comment-visibility-error"') : ''}><legend>${t(lang, 'conversation.visibilityLegend')}</legend>${errorText('comment-visibility', visibilityError)}
${(['shared', 'internal'] as const).map(
  (v) =>
    html`<div class="choice"><input type="radio" id="comment-visibility-${v}" name="visibility" value="${v}"${chosen === v ? raw(' checked') : ''}><label for="comment-visibility-${v}">${t(lang, `conversation.visibility.${v}`)}</label></div>`,
)}</fieldset>`
    : html`<p>${t(lang, 'conversation.sharedOnly')}</p><input type="hidden" name="visibility" value="shared">`;
  return html`<form method="post" action="/cases/${caseId}/comments" novalidate id="comment-form">
<input type="hidden" name="_csrf" value="${csrfToken}">
${summary}
<div class="field"><label for="comment-body">${t(lang, 'conversation.bodyLabel')}</label><p class="help" id="comment-body-help">${t(lang, 'conversation.bodyHint')}</p>${errorText('comment-body', bodyError)}
<textarea id="comment-body" name="body" rows="5" aria-describedby="${described}">${state?.body ?? ''}</textarea></div>
${choice}
<p><button type="submit">${t(lang, 'conversation.send')}</button></p>
</form>`;
}

/** The "Samtal" section of the case page. */
export function conversationSection(
  lang: Language,
  caseId: string,
  csrfToken: string,
  c: ConversationInput,
  form?: CommentFormState,
): SafeHtml {
  const items = c.comments.items.map(
    (m) => html`<li class="comment${m.visibility === 'internal' ? ' internal' : ''}">
${m.visibility === 'internal' ? html`<p><strong class="tag internal">${t(lang, 'conversation.internalMark')}</strong></p>` : ''}
<p class="meta">${t(lang, 'conversation.byline', { name: m.author.displayName ?? '–', role: m.roleLabel, at: dateTime(lang, m.createdAt) })}</p>
<p>${written(lang, m.body)}</p></li>`,
  );
  const follow = html`<form method="post" action="/cases/${caseId}/following" class="following">
<input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="following" value="${c.following.following ? 'false' : 'true'}">
<p>${c.following.reasonText} ${t(lang, 'conversation.follow.explain')}</p>
<p><button type="submit" class="secondary">${t(lang, c.following.following ? 'conversation.follow.stop' : 'conversation.follow.start')}</button></p></form>`;
  const guests = c.guests;
  const guestList = guests.items.length
    ? html`<ul>${guests.items.map((g) => html`<li>${g.displayName}${g.organisation ? html`, ${g.organisation}` : ''}${g.email ? html` <span class="meta">${g.email}</span>` : ''}</li>`)}</ul>`
    : html`<p>${t(lang, 'guests.none')}</p>`;
  const pending = guests.pending.length
    ? html`<h4>${t(lang, 'guests.pending')}</h4><ul>${guests.pending.map((g) => html`<li>${g.name ?? g.email}${g.organisation ? html`, ${g.organisation}` : ''} <span class="meta">${g.email}</span></li>`)}</ul>`
    : '';
  return html`<section aria-labelledby="conversation"><h2 id="conversation">${t(lang, 'conversation.title')}</h2>
<p>${t(lang, 'conversation.intro')}</p>
${items.length ? html`<ol class="comments">${items}</ol>` : html`<p>${t(lang, 'conversation.none')}</p>`}
${c.comments.canComment || c.comments.canWriteInternal ? html`<h3>${t(lang, 'conversation.write')}</h3>${commentForm(lang, caseId, csrfToken, c.comments.canWriteInternal, form)}` : ''}
${follow}
<h3>${t(lang, 'guests.title')}</h3>
<p>${t(lang, 'guests.intro')}</p>
${guestList}${pending}
${guests.mayInvite ? html`<p><a class="button secondary" href="/cases/${caseId}/guests/new">${t(lang, 'guests.invite')}</a></p>` : ''}
</section>`;
}

/** A guest invitation as typed, and its errors. */
export interface GuestForm {
  email: string;
  name: string;
  organisation: string;
  errors: { field: 'email' | 'name' | 'organisation'; message: string }[];
}

/** An outside party the dialogue forum named: its organisation and in which role it took part. */
export interface ForumParty {
  organisation: string;
  role: string;
}

/** Step one of inviting a guest: who (the parties the dialogue forum named are offered as organisations). */
export function guestInvitePage(
  lang: Language,
  caseTitle: string,
  caseId: string,
  csrfToken: string,
  form: GuestForm,
  named: ForumParty[] = [],
): SafeHtml {
  const error = (field: string) => form.errors.find((e) => e.field === field)?.message;
  const field = (name: 'email' | 'name' | 'organisation', type: string, help?: string) => {
    const message = error(name);
    const described = [help ? `guest-${name}-help` : '', message ? `guest-${name}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="field"><label for="guest-${name}">${t(lang, `guests.${name}`)}</label>${help ? html`<p class="help" id="guest-${name}-help">${help}</p>` : ''}${message ? html`<p class="field-error" id="guest-${name}-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${message}</p>` : ''}
<input type="${type}" id="guest-${name}" name="${name}" value="${form[name]}"${described ? html` aria-describedby="${described}"` : ''}${name === 'email' ? raw(' autocomplete="off" spellcheck="false"') : ''}${name === 'organisation' && named.length ? raw(' list="guest-forum-parties"') : ''}></div>`;
  };
  const summary = form.errors.length
    ? html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="guest-errors">
<p>${t(lang, 'web.errorSummary', { count: form.errors.length })}</p><ul>${form.errors.map((e) => html`<li><a href="#guest-${e.field}">${e.message}</a></li>`)}</ul></div>`
    : '';
  return html`<p><a href="/cases/${caseId}">${t(lang, 'guests.backToCase')}</a></p>
<h1>${t(lang, 'guests.inviteTitle')}</h1>
<p class="meta">${caseTitle}</p>
<p>${t(lang, 'guests.inviteIntro')}</p>
<form method="post" action="/cases/${caseId}/guests/check" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">
${summary}
${field('email', 'email')}
${field('name', 'text')}
${field('organisation', 'text', t(lang, 'guests.organisationHint'))}
${
  named.length
    ? html`<datalist id="guest-forum-parties">${named.map((p) => html`<option value="${p.organisation}">${p.role}</option>`)}</datalist>
<p class="help">${t(lang, 'guests.forumNamed', { parties: named.map((p) => `${p.organisation} (${p.role})`).join(', ') })}</p>`
    : ''
}
<p><button type="submit">${t(lang, 'guests.continue')}</button></p>
</form>`;
}

/** Step two: check the answers, change them, or send. */
export function guestCheckPage(lang: Language, caseTitle: string, caseId: string, csrfToken: string, form: GuestForm): SafeHtml {
  const hidden = (['email', 'name', 'organisation'] as const).map((n) => html`<input type="hidden" name="${n}" value="${form[n]}">`);
  const row = (n: 'email' | 'name' | 'organisation') => html`<dt>${t(lang, `guests.${n}`)}</dt><dd>${form[n] || '–'}</dd>`;
  return html`<p><a href="/cases/${caseId}">${t(lang, 'guests.backToCase')}</a></p>
<h1>${t(lang, 'guests.check')}</h1>
<p class="meta">${caseTitle}</p>
<dl>${row('email')}${row('name')}${row('organisation')}</dl>
<form method="post" action="/cases/${caseId}/guests/new" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">${hidden}
<p><button type="submit" class="secondary">${t(lang, 'guests.change')}</button></p>
</form>
<form method="post" action="/cases/${caseId}/guests" novalidate>
<input type="hidden" name="_csrf" value="${csrfToken}">${hidden}
<p><button type="submit">${t(lang, 'guests.send')}</button></p>
</form>`;
}
