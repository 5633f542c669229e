import crypto from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../errors.js';
import { requestLanguage } from '../../http/language.js';
import { t, type Language } from '../../i18n/index.js';
import { describePreview, placeOf, type DescribedPreview, type Imports } from '../../imports/index.js';
import { IMPORT_KINDS, type ImportKindId } from '../../imports/kind.js';
import { html, type SafeHtml } from '../../web/html.js';
import { backLink } from '../../web/questions.js';
import { IMPORT_BODY_LIMIT } from '../api/imports.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * Imports from spreadsheets as pages, the same for every kind (GOV.UK patterns): choose what
 * to import and download its template; upload the filled-in file (multipart, accepted by these
 * routes only); see what would be created, what exists and every error ("Rad 5, kolumn
 * Beslutsdatum: …") with an error summary; confirm ("Importera 12 satsningar"); the result.
 * Between the dry run and the confirmation the file's bytes wait in a short-lived store on the
 * server, keyed by their sha256; the import checks everything again.
 */

export interface ImportPageDeps {
  imports: Imports;
  now: () => Date;
}

const KEEP_MS = 30 * 60 * 1000;

export const importPages: FastifyPluginAsync<ImportPageDeps> = async (pages, { imports, now }) => {
  await pages.register(fastifyMultipart, { limits: { fileSize: IMPORT_BODY_LIMIT, files: 1, fields: 5 } });
  const kept = new Map<string, { bytes: Buffer; fileName: string; userId: string; until: number }>();
  const keep = (bytes: Buffer, fileName: string, userId: string) => {
    const at = now().getTime();
    for (const [k, v] of kept) if (v.until < at) kept.delete(k);
    const sha = crypto.createHash('sha256').update(bytes).digest('hex');
    kept.set(`${userId}:${sha}`, { bytes, fileName, userId, until: at + KEEP_MS });
    return sha;
  };

  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, programmeId: string) => unknown) =>
    loggedIn((request, reply) => {
      const programme = request.pageProgramme;
      if (!programme || !programme.roles.includes('administrator')) return errorPage(request, reply, 403);
      return handler(request, reply, programme.id);
    });

  const kindOf = (request: FastifyRequest): ImportKindId => {
    const kind = (request.params as { kind?: string }).kind;
    if (!(IMPORT_KINDS as readonly string[]).includes(kind ?? '')) throw new DomainError('not-found', 'no such import');
    return kind as ImportKindId;
  };
  const p = (lang: Language, key: string, values?: Record<string, string | number>) => t(lang, `imports.page.${key}`, values);

  function uploadForm(lang: Language, kind: ImportKindId, csrf: string | undefined, error?: string): SafeHtml {
    return html`<form method="post" action="/programme/import/${kind}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${csrf ?? ''}">
<div class="field${error ? ' has-error' : ''}"><label for="file-${kind}">${p(lang, 'file')}</label>
<p class="hint" id="file-${kind}-hint">${p(lang, 'uploadHint')}</p>
${error ? html`<p class="error" id="file-${kind}-error">${error}</p>` : ''}
<input type="file" id="file-${kind}" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="file-${kind}-hint${error ? ` file-${kind}-error` : ''}"></div>
<button type="submit">${p(lang, 'check')}</button></form>`;
  }

  pages.get(
    '/programme/import',
    { schema: { hide: true } },
    administrator((request, reply, programmeId) => {
      const lang = requestLanguage(request);
      const title = p(lang, 'title');
      const kinds = imports.kindsFor({ actor: request.actor!, programmeId });
      const body = html`${backLink('/programme/settings', t(lang, 'imports.page.backToSettings'))}<h1>${title}</h1><p>${p(lang, 'lead')}</p>
${kinds.map(
  (k) => html`<section aria-labelledby="kind-${k.id}"><h2 id="kind-${k.id}">${t(lang, `imports.${k.id}.name`)}</h2>
<p>${t(lang, `imports.${k.id}.description`)}</p>
<h3>${p(lang, 'template')}</h3>
<ul class="links"><li><a href="/api/programmes/${programmeId}/imports/${k.id}/template?format=xlsx" download>${p(lang, 'templateXlsx')}</a></li>
<li><a href="/api/programmes/${programmeId}/imports/${k.id}/template?format=csv" download>${p(lang, 'templateCsv')}</a></li></ul>
<h3>${p(lang, 'upload')}</h3>${uploadForm(lang, k.id, request.csrfToken)}</section>`,
)}`;
      return sendPage(request, reply, { title, body });
    }),
  );

  function previewBody(lang: Language, kind: ImportKindId, d: DescribedPreview, sha: string, csrf: string | undefined): SafeHtml {
    const what = (n: number) => t(lang, `imports.${kind}.${n === 1 ? 'singular' : 'plural'}`);
    const items = (list: DescribedPreview['creates']) =>
      html`<table><thead><tr><th scope="col">${p(lang, 'row')}</th><th scope="col">${p(lang, 'what')}</th></tr></thead><tbody>${list.map(
        (i) => html`<tr><td>${i.sheet ? `${i.sheet}, ${i.row ?? ''}` : (i.row ?? '')}</td><td>${i.text}</td></tr>`,
      )}</tbody></table>`;
    if (d.errors.length > 0) {
      return html`<div class="alert error-summary" role="alert" tabindex="-1" autofocus id="import-errors">
<h2>${p(lang, 'errorsHeading')}</h2><p>${p(lang, 'errorsLead')}</p>
<ul>${d.errors.map((e) => html`<li>${placeOf(lang, e)}: ${e.message}</li>`)}</ul></div>
<h2>${p(lang, 'upload')}</h2>${uploadForm(lang, kind, csrf)}`;
    }
    const confirm =
      d.creates.length > 0
        ? html`<form method="post" action="/programme/import/${kind}/confirm"><input type="hidden" name="_csrf" value="${csrf ?? ''}">
<input type="hidden" name="sha256" value="${sha}"><button type="submit">${p(lang, 'confirm', { count: d.creates.length, what: what(d.creates.length) })}</button></form>`
        : html`<p>${p(lang, 'nothingNew')}</p>`;
    return html`${d.creates.length > 0 ? html`<h2>${p(lang, 'createsHeading')}</h2>${items(d.creates)}` : ''}
${d.existing.length > 0 ? html`<h2>${p(lang, 'existingHeading')}</h2><p>${p(lang, 'existingLead')}</p>${items(d.existing)}` : ''}
${confirm}<p><a href="/programme/import">${p(lang, 'uploadAgain')}</a></p>`;
  }

  pages.post(
    '/programme/import/:kind',
    { schema: { hide: true }, config: { csrf: false }, bodyLimit: IMPORT_BODY_LIMIT + 64 * 1024 },
    administrator(async (request, reply, programmeId) => {
      const lang = requestLanguage(request);
      const kind = kindOf(request);
      // The form is multipart: its CSRF token is read here, once the parts are in.
      let csrf: string | undefined;
      let file: { bytes: Buffer; name: string } | undefined;
      if (!request.isMultipart()) throw new DomainError('unsupported-media-type', 'send the file as multipart/form-data');
      for await (const part of request.parts()) {
        if (part.type === 'field' && part.fieldname === '_csrf') csrf = String(part.value);
        else if (part.type === 'file' && part.fieldname === 'file') {
          const bytes = await part.toBuffer();
          if (bytes.length > 0) file = { bytes, name: part.filename || `${kind}.csv` };
        }
      }
      if (request.authMethod === 'session' && csrf !== request.csrfToken)
        throw new DomainError('csrf-token-invalid', 'the form has expired');
      const title = t(lang, `imports.${kind}.name`);
      if (!file) {
        const body = html`${backLink('/programme/import', p(lang, 'back'))}<h1>${title}</h1>${uploadForm(lang, kind, request.csrfToken, p(lang, 'noFile'))}`;
        return sendPage(request, reply, { title, body, status: 422, path: '/programme/import' });
      }
      const source = { actor: request.actor!, programmeId, fileName: file.name, bytes: file.bytes };
      const described = describePreview(kind, await imports.dryRun(source, kind), lang);
      const sha = keep(file.bytes, file.name, request.actor!.id);
      const body = html`${backLink('/programme/import', p(lang, 'back'))}<h1>${title}</h1><p class="meta">${file.name}</p>${previewBody(lang, kind, described, sha, request.csrfToken)}`;
      return sendPage(request, reply, { title, body, status: described.errors.length > 0 ? 422 : 200, path: '/programme/import' });
    }),
  );

  pages.post(
    '/programme/import/:kind/confirm',
    { schema: { hide: true } },
    administrator(async (request, reply, programmeId) => {
      const lang = requestLanguage(request);
      const kind = kindOf(request);
      const sha = String((request.body as { sha256?: unknown } | undefined)?.sha256 ?? '');
      const file = kept.get(`${request.actor!.id}:${sha}`);
      const title = t(lang, `imports.${kind}.name`);
      if (!file || file.until < now().getTime()) {
        const body = html`${backLink('/programme/import', p(lang, 'back'))}<h1>${title}</h1><p>${p(lang, 'expired')}</p>${uploadForm(lang, kind, request.csrfToken)}`;
        return sendPage(request, reply, { title, body, status: 410, path: '/programme/import' });
      }
      const source = { actor: request.actor!, programmeId, fileName: file.fileName, bytes: file.bytes };
      const described = describePreview(kind, await imports.run(source, kind), lang);
      if (described.errors.length > 0 || !described.imported) {
        const body = html`${backLink('/programme/import', p(lang, 'back'))}<h1>${title}</h1>${previewBody(lang, kind, described, sha, request.csrfToken)}`;
        return sendPage(request, reply, { title, body, status: described.errors.length > 0 ? 422 : 200, path: '/programme/import' });
      }
      kept.delete(`${request.actor!.id}:${sha}`);
      const count = described.creates.length;
      const what = t(lang, `imports.${kind}.${count === 1 ? 'singular' : 'plural'}`);
      const heading = p(lang, 'doneHeading');
      const body = html`<div class="notice" role="status" id="notice">${p(lang, 'doneLead', { count, what })}</div><h1>${heading}</h1>
<ul>${described.creates.map((i) => html`<li>${i.text}</li>`)}</ul>
<ul class="links"><li>${kind === 'plan' ? html`<a href="/plan">${t(lang, 'imports.page.toPlan')}</a>` : html`<a href="/cases">${t(lang, 'imports.page.toCases')}</a>`}</li><li><a href="/programme/import">${p(lang, 'back')}</a></li></ul>`;
      return sendPage(request, reply, { title: heading, body, path: '/programme/import' });
    }),
  );
};
