import type { Role } from '../../machines/roles.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import type { ProgrammeConfig } from '../programmes/config.js';
import { holds, type Actor } from './actor.js';
import type { Audit } from './audit.js';
import type { Link, Links } from './links.js';
import { passwordSchema, type PeopleService } from './service.js';
import type { LoginThrottle } from './throttle.js';

/*
 * How people get in without anyone at the server: an administrator invites them by e-mail,
 * an initiator registers with a work address the programme allows, and anyone who forgot
 * their password asks for a new one. Each goes by a one-time link in an e-mail, and each
 * answers the same whether or not the address belongs to someone, so nobody can find out
 * who has an account. Asking is throttled per address asked for and client, like logging in.
 */

/**
 * Where the e-mail about accounts goes out (src/notifications/account-mail.ts): one message of a
 * kind to one address, written in the caller's transaction; an `expiresAt` (ISO) in the data is
 * shown in the recipient's language and time zone.
 */
export interface AccountMessages {
  send(
    kind: 'invitation' | 'registration' | 'account-exists' | 'password-reset',
    to: { address: string; name: string; language: Language; userId?: string | null },
    programmeId: string,
    data: Record<string, unknown>,
  ): void;
  /** The public address of a page of ours. */
  url(path: string): string;
}

export interface OnboardingDeps {
  people: Pick<
    PeopleService,
    | 'userByEmail'
    | 'hashPassword'
    | 'createUserHashed'
    | 'createGuestHashed'
    | 'grantRoles'
    | 'setPasswordHash'
    | 'endSessions'
    | 'actorById'
    | 'person'
    | 'anyone'
  >;
  links: Links;
  mail: AccountMessages;
  audit: Audit;
  throttle: Pick<LoginThrottle, 'check' | 'failed' | 'unlock'>;
  programme: (id: string) => ProgrammeConfig | undefined;
  /** The programme definitions an install can start with, and loading one into the database. */
  definitions: () => { id: string; name: ProgrammeConfig['name'] }[];
  loadDefinition: (id: string) => ProgrammeConfig;
  /** The case an actor may bring a co-writer into now (its programme and title), or undefined. */
  invitableCase: (actor: Actor, caseId: string) => { programmeId: string; title: string } | undefined;
  /** Adds the person to the case as the inviter would have; false when the case no longer takes them. */
  joinCase: (inviterId: string, caseId: string, userId: string) => boolean;
  /** The case an actor may invite a guest to now (its programme and title), or undefined. */
  guestCase: (actor: Actor, caseId: string) => { programmeId: string; title: string } | undefined;
  /** Adds the person to the case as a guest; false when the inviter may no longer invite guests to it. */
  joinCaseAsGuest: (inviterId: string, caseId: string, userId: string) => boolean;
  /** The programme of a case the person is a guest of (for e-mail to someone with no programme role). */
  guestProgramme: (userId: string) => string | undefined;
  transaction: <T>(work: () => T) => T;
}

/** How long each kind of link lives. */
export const LINK_HOURS = { invitation: 7 * 24, registration: 24, 'password-reset': 2, setup: 24 } as const;

/** What a new account needs from its owner. */
export interface NewAccount {
  displayName: string;
  password: string;
  language?: Language;
}

const nameSchema = (name: string) => name.trim().length > 0 && name.trim().length <= 200;

export function createOnboarding(deps: OnboardingDeps) {
  const { people, links, mail, audit, throttle, transaction } = deps;

  /** Every ask counts against the address asked for, from this client: a few are free, then each must wait longer. */
  function throttled(kind: string, email: string, address: string) {
    const key = `${kind}:${email.trim().toLowerCase()}`;
    throttle.check(key, address);
    throttle.failed(key, address);
  }

  /** The name and password of a new account, checked; every failing field listed. */
  function checkAccount(account: NewAccount) {
    const errors = [];
    if (!nameSchema(account.displayName)) errors.push({ path: 'body.displayName', message: 'your name, 1 to 200 characters' });
    const password = passwordSchema.safeParse(account.password);
    if (!password.success) errors.push({ path: 'body.password', message: password.error.issues[0]!.message });
    if (errors.length > 0) throw new DomainError('validation-failed', 'the account cannot be made', { errors });
  }

  /**
   * What accepting an (already used) invitation link does, in the caller's transaction: the
   * roles for an account, or a new account; a case to join; the audit.
   */
  function accept(
    link: Link,
    to: { userId: string } | { displayName: string; language: Language; passwordHash: string | null },
    via: Record<string, unknown> = {},
  ) {
    const roles = link.roles as Role[];
    // A guest's invitation is to one case and gives no role in the programme.
    const guest = roles.length === 0 && !!link.caseId;
    const newAccount = !('userId' in to);
    const user =
      'userId' in to
        ? guest
          ? people.actorById(to.userId)!
          : people.grantRoles(to.userId, link.programmeId!, roles)!
        : guest
          ? people.createGuestHashed({ email: link.email, displayName: to.displayName, language: to.language }, to.passwordHash)
          : people.createUserHashed(
              { programmeId: link.programmeId!, email: link.email, displayName: to.displayName, roles, language: to.language },
              to.passwordHash,
            );
    // Invited to a case: in it, as the one who invited would have added them.
    const joinedCase =
      link.caseId && link.createdBy
        ? guest
          ? deps.joinCaseAsGuest(link.createdBy, link.caseId, user.id)
          : deps.joinCase(link.createdBy, link.caseId, user.id)
        : undefined;
    audit.record({
      actorId: user.id,
      programmeId: link.programmeId,
      action: 'invitation.accepted',
      subjectUserId: user.id,
      details: { roles, invitedBy: link.createdBy, newAccount, caseId: link.caseId, joinedCase, ...via },
    });
    return { userId: user.id, newAccount, caseId: joinedCase ? link.caseId : null };
  }

  return {
    /**
     * An administrator of the programme invites someone by e-mail to roles in it. The answer
     * is the same whether or not the address has an account; one who has gets the roles when
     * they follow the link, one who has not makes their account there.
     */
    invite(actor: Actor, input: { email: string; programmeId: string; roles: Role[] }, address: string) {
      const programme = deps.programme(input.programmeId);
      if (!programme || !holds(actor, input.programmeId, 'administrator'))
        throw new DomainError('not-found', `no programme ${input.programmeId}`);
      const foreign = input.roles.filter((r) => !programme.roles.includes(r));
      if (foreign.length > 0) {
        throw new DomainError('validation-failed', 'the programme does not use these roles', {
          errors: foreign.map((role) => ({ path: 'body.roles', message: `${programme.id} has no role ${role}` })),
        });
      }
      throttled('invitation', input.email, address);
      const email = input.email.trim().toLowerCase();
      return transaction(() => {
        const existing = people.userByEmail(email);
        const language = existing?.language ?? actor.language;
        const { token, expiresAt } = links.create('invitation', email, LINK_HOURS.invitation, {
          programmeId: programme.id,
          roles: input.roles,
          createdBy: actor.id,
        });
        mail.send('invitation', { address: email, name: existing?.displayName ?? '', language, userId: existing?.id }, programme.id, {
          inviterName: actor.displayName,
          roles: input.roles.map((r) => t(language, `roles.${r}`)).join(', '),
          caseTitle: '',
          link: mail.url(`/invitation/${token}`),
          expiresAt,
        });
        audit.record({
          actorId: actor.id,
          programmeId: programme.id,
          action: 'person.invited',
          reason: null,
          details: { email, roles: input.roles },
        });
        return { invited: email, expiresAt };
      });
    },

    /**
     * Someone who may bring co-writers into a case names one by e-mail: an invitation to the case
     * (and, for a new person, an initiator's account in its programme). The answer is the same
     * whether or not the address has an account; the person is in the case once they accept.
     */
    inviteToCase(actor: Actor, caseId: string, email: string, address: string) {
      const found = deps.invitableCase(actor, caseId);
      if (!found) throw new DomainError('not-found', `no case ${caseId}`);
      throttled('invitation', email, address);
      const clean = email.trim().toLowerCase();
      return transaction(() => {
        const existing = people.userByEmail(clean);
        const language = existing?.language ?? actor.language;
        const { token, expiresAt } = links.create('invitation', clean, LINK_HOURS.invitation, {
          programmeId: found.programmeId,
          roles: ['initiator'],
          caseId,
          createdBy: actor.id,
        });
        mail.send('invitation', { address: clean, name: existing?.displayName ?? '', language, userId: existing?.id }, found.programmeId, {
          inviterName: actor.displayName,
          roles: '',
          caseTitle: found.title,
          link: mail.url(`/invitation/${token}`),
          expiresAt,
        });
        audit.record({ actorId: actor.id, programmeId: found.programmeId, action: 'person.invited', details: { email: clean, caseId } });
        return { invited: clean, expiresAt };
      });
    },

    /**
     * A county coordinator or administrator of the programme invites someone from outside
     * (named at the dialogue forum, say) to one case, as a guest: they see that case only,
     * comment and attach documents, and hold no role in the programme. The same invitation
     * link as any other; the answer is the same whether or not the address has an account.
     */
    inviteGuest(actor: Actor, caseId: string, input: { email: string; name?: string; organisation?: string }, address: string) {
      const found = deps.guestCase(actor, caseId);
      if (!found) throw new DomainError('not-found', `no case ${caseId}`);
      throttled('invitation', input.email, address);
      const clean = input.email.trim().toLowerCase();
      const name = input.name?.trim() || undefined;
      const organisation = input.organisation?.trim() || undefined;
      return transaction(() => {
        const existing = people.userByEmail(clean);
        const language = existing?.language ?? actor.language;
        const { token, expiresAt } = links.create('invitation', clean, LINK_HOURS.invitation, {
          programmeId: found.programmeId,
          roles: [],
          caseId,
          createdBy: actor.id,
        });
        mail.send(
          'invitation',
          { address: clean, name: existing?.displayName ?? name ?? '', language, userId: existing?.id },
          found.programmeId,
          {
            inviterName: actor.displayName,
            roles: '',
            caseTitle: found.title,
            link: mail.url(`/invitation/${token}`),
            expiresAt,
          },
        );
        audit.record({
          actorId: actor.id,
          programmeId: found.programmeId,
          action: 'person.invited',
          details: { email: clean, caseId, guest: true, name, organisation },
        });
        return { invited: clean, expiresAt };
      });
    },

    /** What an invitation's page shows: the programme, the roles, the case, and whether the address has an account. */
    invitation(token: string) {
      const link = links.peek(token, 'invitation');
      const existing = people.userByEmail(link.email);
      return {
        email: link.email,
        programmeId: link.programmeId!,
        roles: link.roles as Role[],
        caseId: link.caseId,
        hasAccount: existing !== undefined,
      };
    },

    /**
     * Accepts an invitation: an address with an account gets the roles at once (the link proves
     * the address is theirs); a new one makes its account, with its own name and password.
     */
    async acceptInvitation(token: string, account?: NewAccount) {
      const preview = links.peek(token, 'invitation');
      const existing = people.userByEmail(preview.email);
      if (!existing) {
        if (!account)
          throw new DomainError('validation-failed', 'choose your name and a password', {
            errors: [{ path: 'body.password', message: 'required' }],
          });
        checkAccount(account);
      }
      const passwordHash = existing ? null : await people.hashPassword(account!.password);
      return transaction(() =>
        accept(
          links.use(token, 'invitation'),
          existing ? { userId: existing.id } : { displayName: account!.displayName, language: account!.language ?? 'sv', passwordHash },
        ),
      );
    },

    /**
     * Someone without an account whose address an identity provider vouched for
     * (src/people/sso.ts): every invitation pending to that address is accepted, the first
     * making the account with the name the provider gave and no password (they log in through
     * the provider). Undefined when no invitation is pending. Call in a transaction.
     */
    acceptInvitationsBySso(email: string, account: { displayName: string; language: Language }, providerId: string) {
      const pending = links.pendingInvitationsTo(email);
      if (pending.length === 0) return undefined;
      let userId: string | undefined;
      for (const link of pending) {
        const to = userId ? { userId } : { displayName: account.displayName, language: account.language, passwordHash: null };
        userId = accept(links.useFound(link), to, { via: 'sso', provider: providerId }).userId;
      }
      return { userId: userId!, programmeIds: [...new Set(pending.map((l) => l.programmeId!))] };
    },

    /**
     * An initiator registers with their work address, in a programme that takes registrations
     * from its domain. The answer is the same whether or not the address has an account: a new
     * one gets a link to confirm it, an existing one a reminder to log in.
     */
    register(email: string, programmeId: string, address: string) {
      const programme = deps.programme(programmeId);
      if (!programme) throw new DomainError('not-found', `no programme ${programmeId}`);
      const clean = email.trim().toLowerCase();
      const domain = clean.split('@')[1] ?? '';
      if (!programme.registrationDomains.includes(domain)) {
        throw new DomainError('validation-failed', 'the programme does not take registrations from this address', {
          errors: [
            {
              path: 'body.email',
              message:
                programme.registrationDomains.length === 0
                  ? 'this programme takes no registrations: ask its administrator for an invitation'
                  : `use a work address at ${programme.registrationDomains.join(', ')}`,
            },
          ],
        });
      }
      throttled('registration', clean, address);
      transaction(() => {
        const existing = people.userByEmail(clean);
        if (existing) {
          mail.send(
            'account-exists',
            { address: clean, name: existing.displayName, language: existing.language, userId: existing.id },
            programme.id,
            {
              loginUrl: mail.url('/login'),
              resetUrl: mail.url('/password-reset'),
            },
          );
          return;
        }
        const { token, expiresAt } = links.create('registration', clean, LINK_HOURS.registration, {
          programmeId: programme.id,
          roles: ['initiator'],
        });
        mail.send('registration', { address: clean, name: '', language: 'sv' }, programme.id, {
          link: mail.url(`/register/${token}`),
          expiresAt,
        });
      });
      return { sentTo: clean };
    },

    /** The address and programme of a registration link, for its page. */
    registration(token: string) {
      const link = links.peek(token, 'registration');
      return { email: link.email, programmeId: link.programmeId! };
    },

    /** Confirms a registration: the initiator's account, with their own name and password. */
    async confirmRegistration(token: string, account: NewAccount) {
      links.peek(token, 'registration');
      checkAccount(account);
      const passwordHash = await people.hashPassword(account.password);
      return transaction(() => {
        const link = links.use(token, 'registration');
        // Registered meanwhile by another way (an invitation): the address is theirs, give the role.
        const existing = people.userByEmail(link.email);
        const user = existing
          ? people.grantRoles(existing.id, link.programmeId!, ['initiator'])!
          : people.createUserHashed(
              {
                programmeId: link.programmeId!,
                email: link.email,
                displayName: account.displayName,
                roles: ['initiator'],
                language: account.language ?? 'sv',
              },
              passwordHash,
            );
        audit.record({ actorId: user.id, programmeId: link.programmeId, action: 'registration.confirmed', subjectUserId: user.id });
        return { userId: user.id, newAccount: !existing };
      });
    },

    /**
     * The first start of an install without anyone in it: a one-time link for making the first
     * programme and its administrator in the browser. None once anyone has an account.
     */
    setupLink(): { token: string; expiresAt: string } | undefined {
      if (people.anyone()) return undefined;
      return transaction(() => links.create('setup', '', LINK_HOURS.setup));
    },

    /** What the set-up page offers: the programme definitions to start with. */
    setup(token: string) {
      links.peek(token, 'setup');
      return { definitions: deps.definitions() };
    },

    /** Makes the first programme and its administrator; the link is used, and no second set-up can follow. */
    async completeSetup(
      token: string,
      input: { definitionId: string; email: string; displayName: string; password: string; language?: Language },
    ) {
      links.peek(token, 'setup');
      const errors = [];
      if (!deps.definitions().some((d) => d.id === input.definitionId))
        errors.push({ path: 'body.definitionId', message: 'choose one of the definitions' });
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email.trim())) errors.push({ path: 'body.email', message: 'an e-mail address' });
      try {
        checkAccount(input);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        errors.push(...(error.details.errors ?? []));
      }
      if (errors.length > 0) throw new DomainError('validation-failed', 'the set-up is not complete', { errors });
      const passwordHash = await people.hashPassword(input.password);
      return transaction(() => {
        links.use(token, 'setup');
        if (people.anyone()) throw new DomainError('link-invalid', 'the install has been set up', { reason: 'used' });
        const programme = deps.loadDefinition(input.definitionId);
        const user = people.createUserHashed(
          {
            programmeId: programme.id,
            email: input.email,
            displayName: input.displayName,
            roles: ['administrator'],
            language: input.language ?? 'sv',
          },
          passwordHash,
        );
        audit.record({
          actorId: user.id,
          programmeId: programme.id,
          action: 'registration.confirmed',
          subjectUserId: user.id,
          details: { setup: true },
        });
        return { userId: user.id, programmeId: programme.id };
      });
    },

    /** Someone asks for a new password: a link if the address has an active account; the same answer either way. */
    requestPasswordReset(email: string, address: string) {
      const clean = email.trim().toLowerCase();
      throttled('password-reset', clean, address);
      transaction(() => {
        const user = people.userByEmail(clean);
        // A guest holds no programme role: their e-mail comes in the words of a programme they are a guest in.
        const programmeId =
          user && !user.disabled ? (people.person(user.id)?.memberships[0]?.programmeId ?? deps.guestProgramme(user.id)) : undefined;
        if (!user || !programmeId) return;
        const { token, expiresAt } = links.create('password-reset', clean, LINK_HOURS['password-reset']);
        mail.send('password-reset', { address: clean, name: user.displayName, language: user.language, userId: user.id }, programmeId, {
          link: mail.url(`/password-reset/${token}`),
          expiresAt,
        });
      });
      return { sentTo: clean };
    },

    /** Whether a reset link can be used (for its page). */
    passwordReset(token: string) {
      const link = links.peek(token, 'password-reset');
      return { email: link.email };
    },

    /** Sets the new password of a reset: every session of the person ends, any log-in wait is lifted. */
    async completePasswordReset(token: string, password: string) {
      links.peek(token, 'password-reset');
      const checked = passwordSchema.safeParse(password);
      if (!checked.success) {
        throw new DomainError('validation-failed', 'the password was not changed', {
          errors: [{ path: 'body.password', message: checked.error.issues[0]!.message }],
        });
      }
      const passwordHash = await people.hashPassword(password);
      return transaction(() => {
        const link = links.use(token, 'password-reset');
        const user = people.userByEmail(link.email);
        if (!user || user.disabled) throw new DomainError('link-invalid', 'the account cannot be used', { reason: 'unknown' });
        people.setPasswordHash(user.id, passwordHash);
        const ended = people.endSessions(user.id);
        throttle.unlock(link.email);
        audit.record({ actorId: user.id, action: 'password.reset', subjectUserId: user.id, details: { sessionsEnded: ended } });
        return { sessionsEnded: ended };
      });
    },
  };
}

export type Onboarding = ReturnType<typeof createOnboarding>;
