import type { FastifyRequest } from 'fastify';
import { languageFrom, type Language } from '../i18n/index.js';

/** The cookie the pages' language switch sets for visitors who are not logged in. */
export const LANGUAGE_COOKIE = 'satsa_lang';

/** The caller's language: their own choice when logged in, else the cookie, else Accept-Language. */
export function requestLanguage(request: FastifyRequest): Language {
  if (request.actor) return request.actor.language;
  const chosen = (request.cookies as Record<string, string | undefined> | undefined)?.[LANGUAGE_COOKIE];
  return chosen === 'sv' || chosen === 'en' ? chosen : languageFrom(request.headers['accept-language']);
}
