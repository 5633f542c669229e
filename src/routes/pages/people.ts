import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../../machines/roles.js';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import type { Actor } from '../../people/actor.js';
import type { PeopleAdmin } from '../../people/admin.js';
import type { PeopleService } from '../../people/service.js';
import type { ProgrammeService } from '../../programmes/service.js';
import { dateTime } from '../../web/dates.js';
import { firstText } from '../../web/forms.js';
import { html, raw, type SafeHtml } from '../../web/html.js';
import { backLink, confirmForm, errorSummary, field, notice, type Problem } from '../../web/questions.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * The people of the programme the pages work in, for its administrators: the list with a
 * search, one person with their roles and state, and the acts on them (change roles, disable,
 * enable, unlock), each a short question page that asks for the reason the audit keeps;
 * disabling, and taking someone out of the programme, ask for a confirmation first. And the
 * audit: what was done to the accounts, newest first, by whom and why. Everything goes
 * through the people administration service, as the API does.
 */

export interface PeoplePageDeps {
  peopleAdmin: Pick<PeopleAdmin, 'list' | 'get' | 'disable' | 'enable' | 'unlock' | 'setRoles' | 'audit'>;
  people: Pick<PeopleService, 'displayNames'>;
  programmes: Pick<ProgrammeService, 'get'>;
}

/** Entries on one page of the audit. */
export const AUDIT_PAGE_SIZE = 25;
const REASON_MAX = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The programme the pages work in, where the caller is its administrator. */
interface Here {
  id: string;
  name: string;
  /** The roles the programme uses, in its own order. */
  roles: readonly Role[];
}

type Person = ReturnType<PeopleAdmin['get']>;

/** The acts on an account that ask only for a reason (changing roles has a page of its own). */
const ACTS = ['disable', 'enable', 'unlock'] as const;
type Act = (typeof ACTS)[number];
/** Whether an act means anything for the person as they are now. */
const APPLIES: Record<Act, (p: Person) => boolean> = {
  disable: (p) => !p.disabled,
  enable: (p) => p.disabled,
  unlock: (p) => p.locked,
};
const DONE = ['roles', 'disable', 'enable', 'unlock'] as const;

/** A person's state in plain words: active, or disabled and/or locked out. */
export function stateOf(lang: Language, person: { disabled: boolean; locked: boolean }): string {
  const states = [person.disabled ? 'disabled' : '', person.locked ? 'locked' : ''].filter(Boolean);
  return (states.length ? states : ['active']).map((s) => t(lang, `people.state.${s}`)).join(', ');
}

const roleLabels = (lang: Language, roles: readonly string[]) =>
  roles.length ? roles.map((r) => t(lang, `roles.${r}`)).join(', ') : t(lang, 'people.noRoles');

export const peoplePages: FastifyPluginAsync<PeoplePageDeps> = async (pages, { peopleAdmin, people, programmes }) => {
  /** Runs a handler for an administrator of the programme the pages work in; anyone else gets the 403 page. */
  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, here: Here) => unknown) =>
    loggedIn((request, reply, actor) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.includes('administrator')) return errorPage(request, reply, 403);
      const config = programmes.get(programme.id);
      const here: Here = { id: programme.id, name: config?.name[requestLanguage(request)] ?? '', roles: config?.roles ?? [] };
      return handler(request, reply, actor, here);
    });

  /** The person of the route, if they hold a role in this programme; anyone else is a page that does not exist. */
  function personOf(request: FastifyRequest, actor: Actor, here: Here): { person: Person; roles: Role[] } {
    const id = (request.params as { id?: unknown }).id;
    if (typeof id !== 'string' || !UUID.test(id)) throw new DomainError('not-found', 'no such person');
    const person = peopleAdmin.get(actor, id);
    const membership = person.programmes.find((m) => m.programmeId === here.id);
    if (!membership) throw new DomainError('not-found', 'no such person here');
    return { person, roles: membership.roles };
  }

  const csrfInput = (request: FastifyRequest) => html`<input type="hidden" name="_csrf" value="${request.csrfToken ?? ''}">`;

  /** The reason every act asks for, kept in the audit. */
  const reasonField = (lang: Language, value: string, error?: string) =>
    field({
      lang,
      id: 'reason',
      name: 'reason',
      label: t(lang, 'people.reason'),
      hint: t(lang, 'people.reasonHint'),
      value,
      error,
      multiline: true,
      maxlength: REASON_MAX,
    });

  /** The posted reason, and what is wrong with it. */
  function reasonOf(lang: Language, body: Record<string, unknown>): { reason: string; problem?: Problem } {
    const reason = firstText(body.reason).trim();
    const label = t(lang, 'people.reason');
    if (!reason) return { reason, problem: { field: 'reason', label, message: t(lang, 'people.reasonMissing') } };
    if (reason.length > REASON_MAX)
      return { reason, problem: { field: 'reason', label, message: t(lang, 'people.reasonLong', { max: REASON_MAX }) } };
    return { reason };
  }

  const bodyOf = (request: FastifyRequest) =>
    (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;

  // ---- the list -------------------------------------------------------------------------

  pages.get(
    '/people',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
      const query = request.query as Record<string, unknown>;
      const q = firstText(query.q).trim().slice(0, 200);
      const limit = 500;
      const list = peopleAdmin.list(actor, { programme: here.id, q: q || undefined, limit }).items;
      const removed = firstText(query.done) === 'removed' ? firstText(query.person) : '';
      const removedName = removed && UUID.test(removed) ? people.displayNames([removed]).get(removed) : undefined;
      const rows = list.map((person) => {
        const roles = person.programmes.find((m) => m.programmeId === here.id)?.roles ?? [];
        return html`<tr>
<th scope="row"><a href="/people/${person.id}">${person.displayName}</a></th>
<td>${person.email}</td>
<td>${roleLabels(lang, roles)}</td>
<td>${stateOf(lang, person)}</td>
</tr>`;
      });
      const body = html`${notice(removedName ? p('removed', { name: removedName, programme: here.name }) : undefined)}<h1>${p('title')}</h1>
<p class="meta">${here.name}</p>
<p>${p('intro')}</p>
<p><a class="button" href="/people/invite">${t(lang, 'web.inviteTitle')}</a></p>
<p><a href="/audit">${p('auditLink')}</a></p>
<form method="get" action="/people" class="filters" role="search" aria-label="${p('searchLabel')}">
<div><label for="people-q">${p('search')}</label><input type="search" id="people-q" name="q" value="${q}"></div>
<div><button type="submit">${p('find')}</button></div>
</form>
<p role="status">${q ? p('found', { count: list.length, q }) : p('count', { count: list.length })}${list.length === limit ? ` ${p('narrow')}` : ''}</p>
${
  list.length
    ? html`<table>
<caption class="visually-hidden">${p('title')}</caption>
<thead><tr><th scope="col">${p('name')}</th><th scope="col">${t(lang, 'web.email')}</th><th scope="col">${p('roles')}</th><th scope="col">${p('stateLabel')}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : ''
}${q ? html`<p><a href="/people">${p('showAll')}</a></p>` : ''}`;
      return sendPage(request, reply, { title: p('title'), body });
    }),
  );

  // ---- one person -----------------------------------------------------------------------

  pages.get(
    '/people/:id',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
      const { person, roles } = personOf(request, actor, here);
      const done = firstText((request.query as Record<string, unknown>).done) as (typeof DONE)[number];
      const self = person.id === actor.id;
      const acts: SafeHtml[] = [html`<li><a href="/people/${person.id}/roles">${p('changeRoles')}</a></li>`];
      if (person.disabled) acts.push(html`<li><a href="/people/${person.id}/enable">${p('act.enable.link')}</a></li>`);
      else if (!self) acts.push(html`<li><a href="/people/${person.id}/disable">${p('act.disable.link')}</a></li>`);
      if (person.locked) acts.push(html`<li><a href="/people/${person.id}/unlock">${p('act.unlock.link')}</a></li>`);
      const body = html`${backLink('/people', p('title'))}${notice(DONE.includes(done) ? p(`done.${done}`, { name: person.displayName }) : undefined)}<h1>${person.displayName}</h1>
<dl>
<dt>${t(lang, 'web.email')}</dt><dd>${person.email}</dd>
<dt>${p('rolesIn', { programme: here.name })}</dt><dd>${roleLabels(lang, roles)}</dd>
<dt>${p('stateLabel')}</dt><dd>${stateOf(lang, person)}</dd>
<dt>${p('created')}</dt><dd>${dateTime(lang, person.createdAt)}</dd>
</dl>
<h2>${p('whatYouCanDo')}</h2>
<ul class="links">${acts}</ul>
${self ? html`<p class="help">${p('notYourself')}</p>` : ''}
<h2>${p('history')}</h2>
<p><a href="/audit?person=${person.id}">${p('auditOf', { name: person.displayName })}</a></p>
<h2>${t(lang, 'privacy.heading')}</h2>
<ul class="links">
<li><a href="/people/${person.id}/data">${t(lang, 'privacy.dataLink', { name: person.displayName })}</a></li>
${self ? '' : html`<li><a href="/people/${person.id}/erase">${t(lang, 'privacy.eraseLink', { name: person.displayName })}</a></li>`}
</ul>`;
      return sendPage(request, reply, { title: person.displayName, body });
    }),
  );

  // ---- roles ----------------------------------------------------------------------------

  function rolesForm(
    request: FastifyRequest,
    reply: FastifyReply,
    here: Here,
    person: Person,
    values: { roles: string[]; reason: string },
    problems: Problem[] = [],
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
    const rolesError = problems.find((e) => e.field === 'roles-0')?.message;
    const chosen = new Set(values.roles);
    const boxes = here.roles.map(
      (role, i) =>
        html`<div class="choice"><input type="checkbox" id="roles-${i}" name="roles" value="${role}"${chosen.has(role) ? raw(' checked') : ''}><label for="roles-${i}">${t(lang, `roles.${role}`)}</label></div>`,
    );
    const title = p('rolesTitle', { name: person.displayName });
    const body = html`${backLink(`/people/${person.id}`, person.displayName)}<h1>${title}</h1>
<form method="post" action="/people/${person.id}/roles" novalidate>
${csrfInput(request)}
${errorSummary(lang, 'roles-errors', problems)}
<fieldset id="roles" class="choices${rolesError ? ' has-error' : ''}" aria-describedby="roles-hint${rolesError ? ' roles-error' : ''}">
<legend>${p('rolesIn', { programme: here.name })}</legend>
<p class="help" id="roles-hint">${p('rolesHint')}</p>
${rolesError ? html`<p class="field-error" id="roles-error"><span class="visually-hidden">${t(lang, 'web.errorPrefix')}</span>${rolesError}</p>` : ''}
${boxes}
</fieldset>
${reasonField(lang, values.reason, problems.find((e) => e.field === 'reason')?.message)}
<div class="button-group"><button type="submit">${p('saveRoles')}</button><a href="/people/${person.id}">${p('cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: `/people/${person.id}/roles` });
  }

  pages.get(
    '/people/:id/roles',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const { person, roles } = personOf(request, actor, here);
      return rolesForm(request, reply, here, person, { roles, reason: '' });
    }),
  );

  pages.post(
    '/people/:id/roles',
    { schema: { hide: true } },
    administrator(async (request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
      const { person, roles: before } = personOf(request, actor, here);
      const body = bodyOf(request);
      const posted = z
        .array(z.string().max(64))
        .max(50)
        .catch([])
        .parse(([] as unknown[]).concat(body.roles ?? []));
      const { reason, problem } = reasonOf(lang, body);
      const problems: Problem[] = [];
      if (posted.some((r) => !(here.roles as string[]).includes(r)))
        problems.push({ field: 'roles-0', label: p('roles'), message: p('rolesUnknown') });
      if (problem) problems.push(problem);
      const values = { roles: posted, reason };
      if (problems.length) return rolesForm(request, reply, here, person, values, problems, 422);

      const roles = posted as Role[];
      const self = person.id === actor.id;
      // Taking someone out of the programme, or oneself out of its administration, is not undone from here.
      const leaves = roles.length === 0;
      const stepsDown = self && before.includes('administrator') && !roles.includes('administrator');
      if ((leaves || stepsDown) && firstText(body.confirm) !== 'yes') {
        const title = leaves ? p('removeTitle', { name: person.displayName, programme: here.name }) : p('stepDownTitle');
        const page = html`${backLink(`/people/${person.id}/roles`, p('rolesTitle', { name: person.displayName }))}<h1>${title}</h1>
<p>${leaves ? p('removeText', { name: person.displayName, programme: here.name }) : p('stepDownText', { programme: here.name })}</p>
<dl><dt>${p('reason')}</dt><dd class="text">${reason}</dd></dl>
${confirmForm({
  lang,
  csrfToken: request.csrfToken ?? '',
  action: `/people/${person.id}/roles`,
  hidden: { roles, reason },
  button: leaves ? p('removeYes') : p('stepDownYes'),
  cancelHref: `/people/${person.id}`,
  cancel: p('noCancel'),
})}`;
        return sendPage(request, reply, { title, body: page, path: `/people/${person.id}` });
      }
      try {
        peopleAdmin.setRoles(actor, person.id, here.id, roles, reason);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
        const message = p('lastAdministrator');
        return rolesForm(request, reply, here, person, values, [{ field: 'roles-0', label: p('roles'), message }], 409);
      }
      if (leaves) return reply.redirect(`/people?done=removed&person=${person.id}`, 303);
      if (stepsDown) return reply.redirect('/account?done=roles', 303);
      return reply.redirect(`/people/${person.id}?done=roles`, 303);
    }),
  );

  // ---- disable, enable, unlock ----------------------------------------------------------

  function actForm(
    request: FastifyRequest,
    reply: FastifyReply,
    act: Act,
    person: Person,
    reason: string,
    problems: Problem[] = [],
    general: string[] = [],
    status = 200,
  ) {
    const lang = requestLanguage(request);
    const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
    const title = p(`act.${act}.title`, { name: person.displayName });
    const body = html`${backLink(`/people/${person.id}`, person.displayName)}<h1>${title}</h1>
<p>${p(`act.${act}.text`, { name: person.displayName })}</p>
<form method="post" action="/people/${person.id}/${act}" novalidate>
${csrfInput(request)}
${errorSummary(lang, `${act}-errors`, problems, general)}
${reasonField(lang, reason, problems.find((e) => e.field === 'reason')?.message)}
<div class="button-group"><button type="submit">${p(`act.${act}.button`)}</button><a href="/people/${person.id}">${p('cancel')}</a></div>
</form>`;
    return sendPage(request, reply, { title, body, status, path: `/people/${person.id}/${act}` });
  }

  const actOf = (request: FastifyRequest): Act => {
    const act = (request.params as { act?: unknown }).act;
    if (!ACTS.includes(act as Act)) throw new DomainError('not-found', 'no such page');
    return act as Act;
  };

  pages.get(
    '/people/:id/:act',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const act = actOf(request);
      const { person } = personOf(request, actor, here);
      if (!APPLIES[act](person)) return reply.redirect(`/people/${person.id}`, 303);
      return actForm(request, reply, act, person, '');
    }),
  );

  pages.post(
    '/people/:id/:act',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const act = actOf(request);
      const lang = requestLanguage(request);
      const p = (key: string, params?: Record<string, string | number>) => t(lang, `people.${key}`, params);
      const { person } = personOf(request, actor, here);
      // Already so (another administrator was quicker, or the page was sent twice): nothing to do.
      if (!APPLIES[act](person)) return reply.redirect(`/people/${person.id}`, 303);
      const body = bodyOf(request);
      const { reason, problem } = reasonOf(lang, body);
      if (problem) return actForm(request, reply, act, person, reason, [problem], [], 422);
      if (act === 'disable' && firstText(body.confirm) !== 'yes') {
        const title = p('act.disable.confirmTitle', { name: person.displayName });
        const page = html`${backLink(`/people/${person.id}/disable`, p('act.disable.title', { name: person.displayName }))}<h1>${title}</h1>
<p>${p('act.disable.confirmText', { name: person.displayName })}</p>
<dl><dt>${p('reason')}</dt><dd class="text">${reason}</dd></dl>
${confirmForm({
  lang,
  csrfToken: request.csrfToken ?? '',
  action: `/people/${person.id}/disable`,
  hidden: { reason },
  button: p('act.disable.yes'),
  cancelHref: `/people/${person.id}`,
  cancel: p('noCancel'),
})}`;
        return sendPage(request, reply, { title, body: page, path: `/people/${person.id}` });
      }
      try {
        if (act === 'disable') peopleAdmin.disable(actor, person.id, reason);
        else if (act === 'enable') peopleAdmin.enable(actor, person.id, reason);
        else peopleAdmin.unlock(actor, person.id, reason);
      } catch (error) {
        // The one refusal of these acts: an administrator cannot disable their own account.
        if (!(error instanceof DomainError) || error.code !== 'conflict') throw error;
        return actForm(request, reply, act, person, reason, [], [p('notYourself')], 409);
      }
      return reply.redirect(`/people/${person.id}?done=${act}`, 303);
    }),
  );

  // ---- the audit ------------------------------------------------------------------------

  const auditQuery = z.object({
    person: z.string().regex(UUID).optional(),
    cursor: z.string().max(500).optional(),
  });

  pages.get(
    '/audit',
    { schema: { hide: true } },
    administrator((request, reply, actor, here) => {
      const lang = requestLanguage(request);
      const a = (key: string, params?: Record<string, string | number>) => t(lang, `audit.${key}`, params);
      const raw0 = request.query as Record<string, unknown>;
      const query = auditQuery.safeParse({ person: firstText(raw0.person) || undefined, cursor: firstText(raw0.cursor) || undefined });
      if (!query.success) return errorPage(request, reply, 404);
      const { person, cursor } = query.data;
      const page = peopleAdmin.audit(actor, { programme: here.id, person, cursor, limit: AUDIT_PAGE_SIZE });
      const names = people.displayNames([
        ...(person ? [person] : []),
        ...page.items.flatMap((e) => [e.actorId, e.subjectUserId].filter((x): x is string => !!x)),
      ]);
      const nameOf = (id: string | null) => (id ? (names.get(id) ?? t(lang, 'audit.unknownPerson')) : t(lang, 'audit.nobody'));
      const rows = page.items.map((e) => {
        const details = e.details as { before?: unknown; after?: unknown };
        const change =
          e.action === 'person.roles-changed' && Array.isArray(details.before) && Array.isArray(details.after)
            ? html`<br><span class="meta">${a('rolesChange', { before: roleLabels(lang, details.before as string[]), after: roleLabels(lang, details.after as string[]) })}</span>`
            : '';
        return html`<tr>
<td>${dateTime(lang, e.at)}</td>
<td>${nameOf(e.actorId)}</td>
<td>${t(lang, `audit.actions.${e.action}`)}${change}</td>
<td>${e.subjectUserId ? html`<a href="/people/${e.subjectUserId}">${nameOf(e.subjectUserId)}</a>` : '–'}</td>
<td class="text">${e.reason ?? '–'}</td>
</tr>`;
      });
      const personName = person ? nameOf(person) : undefined;
      const title = personName ? a('titleOf', { name: personName }) : a('title');
      const link = (params: Record<string, string | undefined>) => {
        const search = new URLSearchParams(Object.entries(params).filter((x): x is [string, string] => !!x[1]));
        return `/audit${search.size ? `?${search.toString()}` : ''}`;
      };
      const pager = [
        cursor ? html`<li><a href="${link({ person })}">${a('newest')}</a></li>` : '',
        page.nextCursor ? html`<li><a href="${link({ person, cursor: page.nextCursor })}">${a('older')}</a></li>` : '',
      ].filter(Boolean);
      const body = html`${person ? backLink(`/people/${person}`, personName!) : backLink('/people', t(lang, 'people.title'))}<h1>${title}</h1>
<p>${a('intro', { programme: here.name })}</p>
${person ? html`<p><a href="/audit">${a('all')}</a></p>` : ''}
${
  page.items.length
    ? html`<table class="audit">
<caption class="visually-hidden">${title}</caption>
<thead><tr><th scope="col">${t(lang, 'web.when')}</th><th scope="col">${a('who')}</th><th scope="col">${t(lang, 'web.what')}</th><th scope="col">${a('whom')}</th><th scope="col">${a('why')}</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
    : html`<p>${a('empty')}</p>`
}
${pager.length ? html`<nav aria-label="${a('pages')}"><ul class="inline">${pager}</ul></nav>` : ''}`;
      return sendPage(request, reply, { title, body });
    }),
  );
};
