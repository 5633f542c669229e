import crypto from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { oneTimeLinks } from '../db/schema.js';
import { DomainError } from '../errors.js';

/*
 * One-time links: a random token in an e-mail (or printed once at the first start) that
 * proves its holder reads that address. Only a hash of the token is stored; a link is used
 * once and expires. A link that cannot be used says why (unknown, used, expired), so its
 * page can tell the person what to do.
 */

export type LinkPurpose = (typeof oneTimeLinks.$inferSelect)['purpose'];
export type Link = typeof oneTimeLinks.$inferSelect;

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest('hex');

export function createLinks(db: Db, now: () => Date) {
  /** The link of a token for `purpose`, or why it cannot be used. */
  function find(token: string, purpose: LinkPurpose): Link {
    const link = db
      .select()
      .from(oneTimeLinks)
      .where(eq(oneTimeLinks.id, sha256(token)))
      .get();
    if (!link || link.purpose !== purpose) throw new DomainError('link-invalid', 'no such link', { reason: 'unknown' });
    if (link.usedAt) throw new DomainError('link-invalid', 'the link has been used', { reason: 'used' });
    if (link.expiresAt <= now().toISOString()) throw new DomainError('link-invalid', 'the link has expired', { reason: 'expired' });
    return link;
  }

  function markUsed(link: Link) {
    const used = db
      .update(oneTimeLinks)
      .set({ usedAt: now().toISOString() })
      .where(and(eq(oneTimeLinks.id, link.id), isNull(oneTimeLinks.usedAt)))
      .run();
    if (used.changes !== 1) throw new DomainError('link-invalid', 'the link has been used', { reason: 'used' });
  }

  return {
    /** A new link; returns the token (to put in the link) and when it expires. */
    create(
      purpose: LinkPurpose,
      email: string,
      validHours: number,
      what: { programmeId?: string | null; roles?: string[]; caseId?: string | null; createdBy?: string | null } = {},
    ) {
      const token = crypto.randomBytes(32).toString('base64url');
      const created = now();
      const expiresAt = new Date(created.getTime() + validHours * 3_600_000).toISOString();
      db.insert(oneTimeLinks)
        .values({
          id: sha256(token),
          purpose,
          email: email.trim().toLowerCase(),
          programmeId: what.programmeId ?? null,
          roles: what.roles ?? [],
          caseId: what.caseId ?? null,
          createdBy: what.createdBy ?? null,
          createdAt: created.toISOString(),
          expiresAt,
        })
        .run();
      return { token, expiresAt };
    },

    /** The link, if it can still be used (for showing its page). */
    peek: find,

    /** Uses the link: it cannot be used again. Call in the transaction of what it does. */
    use(token: string, purpose: LinkPurpose): Link {
      const link = find(token, purpose);
      markUsed(link);
      return link;
    },

    /**
     * The invitations to an address not yet used nor expired, oldest first: for someone whose
     * address an identity provider vouched for, who holds no link (see src/people/sso.ts).
     */
    pendingInvitationsTo(email: string): Link[] {
      const at = now().toISOString();
      return db
        .select()
        .from(oneTimeLinks)
        .where(and(eq(oneTimeLinks.purpose, 'invitation'), eq(oneTimeLinks.email, email.trim().toLowerCase()), isNull(oneTimeLinks.usedAt)))
        .orderBy(oneTimeLinks.createdAt, oneTimeLinks.id)
        .all()
        .filter((l) => l.expiresAt > at);
    },

    /** Uses a link found by pendingInvitationsTo, in the transaction of what it does. */
    useFound(link: Link): Link {
      markUsed(link);
      return link;
    },

    /** Invitations not yet used nor expired, of some programmes. */
    pendingInvitations(programmeIds: string[]) {
      const at = now().toISOString();
      return db
        .select({
          email: oneTimeLinks.email,
          programmeId: oneTimeLinks.programmeId,
          roles: oneTimeLinks.roles,
          caseId: oneTimeLinks.caseId,
          createdBy: oneTimeLinks.createdBy,
          createdAt: oneTimeLinks.createdAt,
          expiresAt: oneTimeLinks.expiresAt,
        })
        .from(oneTimeLinks)
        .where(and(eq(oneTimeLinks.purpose, 'invitation'), isNull(oneTimeLinks.usedAt)))
        .all()
        .filter((l) => l.expiresAt > at && l.programmeId !== null && programmeIds.includes(l.programmeId));
    },
  };
}

export type Links = ReturnType<typeof createLinks>;
