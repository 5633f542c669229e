import { DomainError } from '../errors.js';
import type { Language } from '../i18n/index.js';
import type { PeopleService } from '../people/service.js';
import { OPTIONAL_KINDS } from './rules.js';

/** A person's language and which informational e-mails they get; messages that require an action cannot be turned off. */
export function createPreferences(people: Pick<PeopleService, 'preferences' | 'updatePreferences'>) {
  const get = (userId: string) => ({ ...people.preferences(userId), optionalNotifications: OPTIONAL_KINDS });
  return {
    get,

    change(userId: string, change: { language?: Language; mutedNotifications?: string[] }) {
      const mandatory = (change.mutedNotifications ?? [])
        .map((kind, index) => ({ kind, index }))
        .filter(({ kind }) => !OPTIONAL_KINDS.includes(kind as never));
      if (mandatory.length > 0) {
        throw new DomainError('validation-failed', 'messages that require an action cannot be turned off', {
          errors: mandatory.map(({ kind, index }) => ({
            path: `body.mutedNotifications.${index}`,
            message: `${kind} requires an action and cannot be turned off`,
          })),
        });
      }
      people.updatePreferences(userId, change);
      return get(userId);
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
