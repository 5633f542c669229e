import { and, eq, inArray, lte, or } from 'drizzle-orm';
import type { CaseContext } from '../../machines/case/context.js';
import type { Db } from '../db/client.js';
import { cases, commitments } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import type { Money } from '../money/service.js';
import { allAreas } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';

/*
 * The programme-year report for political leadership, and the public export of decided
 * initiatives. One function computes each; the JSON, CSV and printable page all render the
 * same object, so their figures cannot disagree.
 */

export interface IndicatorResult {
  id: string;
  name: string;
  unit: string;
  baseline: number | null;
  target: number;
  value: number | null;
  /** Whether the latest value has reached the target (in the direction from the baseline). */
  reached: boolean | null;
}

export interface InitiativeLine {
  caseId: string;
  diaryNumber: string;
  title: string;
  priorityAreaId: string | null;
  priorityArea: string;
  scope: string;
  status: 'active' | 'done';
  state: string;
  grantedOre: number;
  spentOre: number;
  indicators: IndicatorResult[];
  recommendation: string | null;
}

const contextOf = (snapshot: unknown) => (snapshot as { context: CaseContext }).context;

/** Reported spending up to the end of `date` (inclusive): the latest cumulative figure. */
function spentUpTo(ctx: CaseContext, date: string): number {
  return ctx.followUps.filter((f) => f.date <= date).reduce((max, f) => Math.max(max, f.spentToDateOre), 0);
}

export function createReports(db: Db, programmes: ProgrammeService, money: Money) {
  /** The programme's cases created by `until`, and any case holding money in `ids`. */
  function caseRows(programmeId: string, until: string, ids: string[] = []) {
    return db
      .select()
      .from(cases)
      .where(
        and(
          eq(cases.programmeId, programmeId),
          ids.length > 0 ? or(lte(cases.createdAt, until), inArray(cases.id, ids)) : lte(cases.createdAt, until),
        ),
      )
      .orderBy(cases.diaryNumber)
      .all();
  }

  return {
    yearReport(programmeId: string, year: number, lang: Language) {
      const config = programmes.get(programmeId);
      if (!config) throw new DomainError('not-found', `no programme ${programmeId}`);
      const pools = money.pools(programmeId, year);
      if (pools.length === 0) {
        throw new DomainError('validation-failed', `the programme has no grant pool for ${year}`, {
          errors: [{ path: 'params.year', message: `no grant pool for ${year}; set one up first` }],
        });
      }
      const areas = new Map(allAreas(config).map((a) => [a.id, a]));
      const yearEnd = `${year}-12-31`;
      const granted = new Map<string, number>();
      for (const c of db
        .select()
        .from(commitments)
        .where(and(eq(commitments.programmeId, programmeId), eq(commitments.year, year)))
        .all()) {
        granted.set(c.caseId, (granted.get(c.caseId) ?? 0) + c.amountOre);
      }

      // Every case that existed by the year's end, and any later one granted money for the year.
      const initiatives: InitiativeLine[] = caseRows(programmeId, `${yearEnd}T23:59:59.999Z`, [...granted.keys()]).map((row) => {
        const ctx = contextOf(row.snapshot);
        const steps = row.steps.split(',').filter(Boolean).map(Number);
        const reported = [...ctx.followUps].filter((f) => f.date <= yearEnd).sort((a, b) => a.date.localeCompare(b.date));
        const latest = new Map<string, number>();
        for (const f of reported) for (const v of f.indicatorValues) latest.set(v.indicatorId, v.value);
        const scope = ctx.proposal.scope;
        const recommendation = ctx.scaleUpDecision?.decision ?? ctx.scaleUpRecommendation?.recommendation ?? null;
        return {
          caseId: row.id,
          diaryNumber: row.diaryNumber,
          title: row.title,
          priorityAreaId: row.priorityAreaId,
          priorityArea: row.priorityAreaId ? (areas.get(row.priorityAreaId)?.label[lang] ?? row.priorityAreaId) : '',
          scope: scope
            ? `${t(lang, `scopes.${scope.level}`)}${scope.municipalities.length ? `: ${scope.municipalities.join(', ')}` : ''}`
            : '',
          status: row.status,
          state: row.outcome ? t(lang, `outcomes.${row.outcome}`) : steps.map((s) => t(lang, `steps.${s}`)).join('; '),
          grantedOre: granted.get(row.id) ?? 0,
          spentOre: spentUpTo(ctx, yearEnd) - spentUpTo(ctx, `${year - 1}-12-31`),
          indicators: (ctx.proposal.indicators ?? []).map((ind) => {
            const value = latest.get(ind.id) ?? null;
            const rising = ind.baseline === undefined || ind.target >= ind.baseline;
            return {
              id: ind.id,
              name: ind.name,
              unit: ind.unit,
              baseline: ind.baseline ?? null,
              target: ind.target,
              value,
              reached: value === null ? null : rising ? value >= ind.target : value <= ind.target,
            };
          }),
          recommendation: recommendation === 'implement' || recommendation === 'scale-up' ? recommendation : null,
        };
      });

      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const poolOre = sum(pools.map((p) => p.amountOre));
      const committedOre = sum(pools.map((p) => p.committedOre));
      const countBy = (key: (i: InitiativeLine) => string) => {
        const counts = new Map<string, number>();
        for (const i of initiatives) counts.set(key(i), (counts.get(key(i)) ?? 0) + 1);
        return [...counts].map(([label, count]) => ({ label, count }));
      };
      return {
        programme: { id: config.id, name: config.name[lang], organisation: config.organisation[lang], taxonomy: config.taxonomy[lang] },
        year,
        language: lang,
        totals: {
          poolOre,
          committedOre,
          remainingOre: poolOre - committedOre,
          spentOre: sum(initiatives.map((i) => i.spentOre)),
          initiatives: initiatives.length,
        },
        pools,
        byState: countBy((i) => i.state),
        byPriorityArea: [...new Set(initiatives.map((i) => i.priorityAreaId ?? ''))].map((id) => {
          const mine = initiatives.filter((i) => (i.priorityAreaId ?? '') === id);
          return {
            priorityAreaId: id || null,
            label: id ? (areas.get(id)?.label[lang] ?? id) : t(lang, 'reports.noArea'),
            initiatives: mine.length,
            grantedOre: sum(mine.map((i) => i.grantedOre)),
            spentOre: sum(mine.map((i) => i.spentOre)),
          };
        }),
        initiatives,
        recommendedForImplementationOrScaleUp: initiatives
          .filter((i) => i.recommendation !== null)
          .map((i) => ({ caseId: i.caseId, diaryNumber: i.diaryNumber, title: i.title, recommendation: i.recommendation })),
      };
    },

    /** Decided (approved) initiatives for transparency: no personal data, only what was decided. */
    publicInitiatives(programmeId: string) {
      const config = programmes.get(programmeId);
      if (!config) throw new DomainError('not-found', `no programme ${programmeId}`);
      return {
        programme: { id: config.id, name: config.name, organisation: config.organisation },
        initiatives: caseRows(programmeId, '9999')
          .map((row) => ({ row, ctx: contextOf(row.snapshot) }))
          .filter(({ ctx }) => ctx.decision?.decision === 'approve')
          .map(({ row, ctx }) => ({ row, ctx, granted: money.grantedTo(row.id) }))
          .map(({ row, ctx, granted }) => ({
            diaryNumber: row.diaryNumber,
            title: row.title,
            purpose: ctx.proposal.purpose ?? '',
            parties: (ctx.proposal.participants ?? []).map((p) => ({ name: p.name, kind: p.kind })),
            grantedOre: granted.reduce((a, g) => a + g.amountOre, 0),
            grantedByYear: granted,
            decisionDate: ctx.decision!.at.slice(0, 10),
            decisionReference: ctx.decision!.reference ?? row.diaryNumber,
            outcome: row.outcome,
          })),
      };
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
export type YearReport = ReturnType<Reports['yearReport']>;
export type PublicInitiatives = ReturnType<Reports['publicInitiatives']>;
