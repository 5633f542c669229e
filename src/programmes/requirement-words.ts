import { FORUM_ROLES } from '../../machines/roles.js';
import { t, type Language } from '../i18n/index.js';
import { allAreas, type ProgrammeConfig } from './config.js';

/*
 * A business rule in words, with what it is about named as people know it: a criterion by its
 * label ("Kriteriet Brukarmedverkan", not "Kriteriet c1"), an area by its name, a role at the
 * dialogue forum by its word. An id no one knows stays out of the text.
 */

export function subjectWords(lang: Language, subject: string | undefined, config: ProgrammeConfig | undefined): string {
  if (!subject) return '';
  const criterion = config?.criteria.find((c) => c.id === subject);
  const quoted = (text: string) => (lang === 'sv' ? `”${text}”` : `“${text}”`);
  if (criterion) return quoted(criterion.label[lang]);
  const area = config ? allAreas(config).find((a) => a.id === subject) : undefined;
  if (area) return quoted(area.label[lang]);
  if ((FORUM_ROLES as readonly string[]).includes(subject)) return t(lang, `forumRoles.${subject}`).toLocaleLowerCase(lang);
  // Not one of the programme's: what was sent, as it was sent.
  return quoted(subject);
}

/** The rule `id` about `subject`, in words. */
export const requirementWords = (lang: Language, r: { id: string; subject?: string }, config: ProgrammeConfig | undefined) =>
  t(lang, `requirements.${r.id}`, { subject: subjectWords(lang, r.subject, config) })
    .replace(/\s+([.,:])/g, '$1')
    .replace(/\s{2,}/g, ' ');
