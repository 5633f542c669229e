import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Archive } from '../../archive/service.js';
import { requestLanguage } from '../../http/language.js';
import type { Actor } from '../../people/actor.js';
import type { ProgrammeConfig } from '../../programmes/config.js';
import { archivePage, confirmPage } from '../../web/archive.js';
import { firstText } from '../../web/forms.js';
import { errorPage, loggedIn, sendPage } from './reply.js';

/*
 * Delivery to the e-archive in the browser, for the programme's administrator: the closed
 * cases with whether and when each was delivered, a package to look at, and the delivery of
 * one case or a year, confirmed first (the delivery is recorded on each case).
 */

export interface ArchivePageDeps {
  archive: Archive;
  programme: (programmeId: string) => ProgrammeConfig | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const YEAR = /^\d{4}$/;

export const archivePages: FastifyPluginAsync<ArchivePageDeps> = async (pages, { archive, programme }) => {
  const administrator = (handler: (request: FastifyRequest, reply: FastifyReply, actor: Actor, programmeId: string) => unknown) =>
    loggedIn((request, reply, actor) => {
      const here = request.pageProgramme;
      if (!here || !here.roles.includes('administrator')) return errorPage(request, reply, 403);
      return handler(request, reply, actor, here.id);
    });

  /** Which cases a form names: one case of the programme's closed ones, or those closed in a year. */
  function chosen(actor: Actor, programmeId: string, fields: Record<string, unknown>, lang: 'sv' | 'en') {
    const caseId = firstText(fields.case);
    const year = firstText(fields.year);
    const closed = archive.closedCases(actor, programmeId, lang).items;
    if (UUID.test(caseId)) {
      const one = closed.find((c) => c.caseId === caseId);
      return one ? { caseId, cases: [one] } : undefined;
    }
    if (YEAR.test(year)) return { year: Number(year), cases: closed.filter((c) => c.closedAt.startsWith(`${year}-`)) };
    return undefined;
  }

  pages.get(
    '/programme/archive',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const done = firstText((request.query as Record<string, unknown>).delivered);
      const { title, body } = archivePage({
        lang,
        csrfToken: request.csrfToken ?? '',
        programmeName: programme(programmeId)?.name[lang] ?? '',
        closed: archive.closedCases(actor, programmeId, lang),
        deliveries: archive.deliveries(actor, programmeId),
        delivered: /^\d{1,4}$/.test(done) ? Number(done) : undefined,
      });
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.get(
    '/programme/archive/deliver',
    { schema: { hide: true } },
    administrator((request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const what = chosen(actor, programmeId, request.query as Record<string, unknown>, lang);
      if (!what) return errorPage(request, reply, 404);
      const { title, body } = confirmPage(lang, request.csrfToken ?? '', what);
      return sendPage(request, reply, { title, body });
    }),
  );

  pages.post(
    '/programme/archive/deliver',
    { schema: { hide: true } },
    administrator(async (request, reply, actor, programmeId) => {
      const lang = requestLanguage(request);
      const what = chosen(actor, programmeId, (request.body ?? {}) as Record<string, unknown>, lang);
      if (!what) return errorPage(request, reply, 404);
      const result = await archive.deliver(
        actor,
        programmeId,
        what.year !== undefined ? { year: what.year } : { caseIds: [what.caseId!] },
        lang,
      );
      return reply.redirect(`/programme/archive?delivered=${result.items.length}`, 303);
    }),
  );
};
