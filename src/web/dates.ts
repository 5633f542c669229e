import { t, type Language } from '../i18n/index.js';
import { formatter, PROGRAMME_TIME_ZONE } from '../mail/calendar.js';

/** A moment in Swedish time, in the reader's language (the case history, the audit, sessions and tokens). */
export const dateTime = (lang: Language, iso: string) =>
  formatter(
    `page ${lang}`,
    () =>
      new Intl.DateTimeFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: PROGRAMME_TIME_ZONE,
      }),
  ).format(new Date(iso));

/** A moment that may not have come (never used, no end): a dash said as "never" to a screen reader too. */
export const dateTimeOrNever = (lang: Language, iso: string | null | undefined) => (iso ? dateTime(lang, iso) : t(lang, 'web.never'));
