import { and, asc, desc, eq, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import type { CaseContext } from '../../machines/case/context.js';
import type { Db } from '../db/client.js';
import { caseParts, cases, commitments, grantMovements, poolDistributionLines, poolDistributions } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { t, type Language } from '../i18n/index.js';
import type { Money, PoolView } from '../money/service.js';
import type { Bodies, ProgrammeConfig } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import { readFacts, type ReportFacts } from '../engine/report-facts.js';

/*
 * The programme-year report for political leadership, and the public export of decided
 * initiatives. One function computes each; the JSON, CSV, Excel workbook and the report page
 * all render the same object, so their figures cannot disagree.
 *
 * Money per initiative comes from the same rows as the pools' figures (money.pools): the
 * year's commitments, and the payments, repayments and releases in the year's pools. So the
 * areas, the scopes and the initiatives add up exactly to the totals, which are the pools'.
 */

export const SCOPES = ['county', 'sub-regional', 'local'] as const;
export type Scope = (typeof SCOPES)[number];

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

/** What was granted for the year and what became of it, whole öre. */
export interface MoneyFigures {
  grantedOre: number;
  paidOre: number;
  /** granted − paid − released, as the pools count it. */
  unpaidOre: number;
  releasedOre: number;
  repaidOre: number;
  /** Reported spent during the year (the follow-ups' cumulative figures). */
  spentOre: number;
}

export interface InitiativeLine extends MoneyFigures {
  caseId: string;
  diaryNumber: string;
  title: string;
  /** The area the case was assessed into: a top-level area or a sub-area. */
  priorityAreaId: string | null;
  priorityArea: string;
  /** The top-level area it counts under (the parent of a sub-area). */
  topAreaId: string | null;
  topArea: string;
  subAreaId: string | null;
  subArea: string;
  scopeLevel: Scope | null;
  municipalities: string[];
  scope: string;
  status: 'active' | 'done';
  state: string;
  /** The director's motivation when a line of its decision was granted over the pool. */
  override: string | null;
  indicators: IndicatorResult[];
  recommendation: 'implement' | 'scale-up' | null;
}

export interface SubAreaRow extends MoneyFigures {
  priorityAreaId: string;
  label: string;
  initiatives: number;
}

export interface AreaRow extends MoneyFigures {
  /** null: the row for cases without an area. */
  priorityAreaId: string | null;
  label: string;
  initiatives: number;
  subAreas: SubAreaRow[];
}

/** Reported spending up to the end of `date` (inclusive): the latest cumulative figure. */
function spentUpTo(facts: ReportFacts, date: string): number {
  return facts.followUps.filter((f) => f.date <= date).reduce((max, f) => Math.max(max, f.spentToDateOre), 0);
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The figures of kinds of initiatives (each `count` of them) added up. */
function addUp(lines: (MoneyFigures & { count: number })[]): MoneyFigures & { initiatives: number } {
  return {
    initiatives: sum(lines.map((l) => l.count)),
    grantedOre: sum(lines.map((l) => l.grantedOre)),
    paidOre: sum(lines.map((l) => l.paidOre)),
    unpaidOre: sum(lines.map((l) => l.unpaidOre)),
    releasedOre: sum(lines.map((l) => l.releasedOre)),
    repaidOre: sum(lines.map((l) => l.repaidOre)),
    spentOre: sum(lines.map((l) => l.spentOre)),
  };
}

type Participants = NonNullable<CaseContext['proposal']['participants']>;

/** Which initiatives a year report lists: one page of them (from 1), all, or none (its figures only). */
export type InitiativesWanted = { page: number; pageSize: number } | 'all' | 'none';

/** What the initiatives of one kind (area, state, scope, recommendation) add to the report's figures. */
type Tally = MoneyFigures & {
  /** The first of them by diary number, and how many they are. */
  first: string;
  count: number;
  recommended: boolean;
  topAreaId: string | null;
  topArea: string;
  subAreaId: string | null;
  subArea: string;
  scopeLevel: Scope | null;
  state: string;
};

/** The first of each id, in order. */
function firstOfEach<T extends { id: string }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(i.id) && seen.add(i.id));
}

/** A case as the reports read it: the columns of the index `cases_report`. */
interface CaseFacts {
  id: string;
  diaryNumber: string;
  title: string;
  priorityAreaId: string | null;
  steps: string;
  status: 'active' | 'done';
  outcome: string | null;
  programmeVersion: number;
  facts: ReportFacts;
}

interface AreaPlace {
  topId: string;
  topLabel: string;
  subId: string | null;
  subLabel: string;
}

export function createReports(db: Db, programmes: ProgrammeService, money: Money) {
  // The proposal is a part of the case's snapshot of its own (src/engine/case-parts.ts).
  const proposal = db
    .select({
      purpose: sql<string | null>`json_extract(${caseParts.data}, '$.purpose')`,
      participants: sql<string | null>`json_extract(${caseParts.data}, '$.participants')`,
    })
    .from(caseParts)
    .where(and(eq(caseParts.caseId, sql.placeholder('id')), eq(caseParts.part, 'proposal')))
    .prepare();
  /**
   * Each of the programme's cases created by `until`, and any case `holding` money, in
   * diary-number order, one at a time: read from the index `cases_report` (every column
   * here), never from a case's row with its snapshot, and never all at once in memory.
   */
  function eachCase(programmeId: string, until: string, holding: SQL | undefined, each: (row: CaseFacts) => void) {
    const query = db
      .select({
        id: cases.id,
        diaryNumber: cases.diaryNumber,
        title: cases.title,
        priorityAreaId: cases.priorityAreaId,
        steps: cases.steps,
        status: cases.status,
        outcome: cases.outcome,
        programmeVersion: cases.programmeVersion,
        reportFacts: cases.reportFacts,
      })
      .from(cases)
      .where(
        and(
          eq(cases.programmeId, programmeId),
          // A decided initiative imported later counts from the day it was decided.
          or(
            lte(cases.createdAt, until),
            lte(sql`json_extract(${cases.reportFacts}, '$.decision.decidedOn')`, until),
            ...(holding ? [holding] : []),
          ),
        ),
      )
      .orderBy(cases.diaryNumber)
      .toSQL();
    const statement = db.$client.prepare(query.sql).raw(true);
    for (const r of statement.iterate(...query.params) as IterableIterator<unknown[]>) {
      each({
        id: r[0] as string,
        diaryNumber: r[1] as string,
        title: r[2] as string,
        priorityAreaId: r[3] as string | null,
        steps: r[4] as string,
        status: r[5] as 'active' | 'done',
        outcome: r[6] as string | null,
        programmeVersion: r[7] as number,
        facts: readFacts(r[8] as string | null),
      });
    }
  }

  /**
   * Where an area id sits: in the year's configuration, else in the version the case was
   * created under (an area since removed), else in the programme's current one.
   */
  function areaPlacer(programmeId: string, config: ProgrammeConfig, lang: Language) {
    const find = (c: ProgrammeConfig, id: string): AreaPlace | undefined => {
      for (const a of c.priorityAreas) {
        if (a.id === id) return { topId: a.id, topLabel: a.label[lang], subId: null, subLabel: '' };
        const s = (a.subAreas ?? []).find((x) => x.id === id);
        if (s) return { topId: a.id, topLabel: a.label[lang], subId: s.id, subLabel: s.label[lang] };
      }
      return undefined;
    };
    return (id: string, caseVersion: number): AreaPlace => {
      const place =
        find(config, id) ??
        [programmes.versionOf(programmeId, caseVersion)?.config, programmes.get(programmeId)]
          .filter((c): c is ProgrammeConfig => c !== undefined)
          .map((c) => find(c, id))
          .find(Boolean);
      if (!place) return { topId: id, topLabel: t(lang, 'reports.unknownArea'), subId: null, subLabel: '' };
      // A top-level area the year's configuration still has keeps that version's label.
      const top = config.priorityAreas.find((a) => a.id === place.topId);
      return top ? { ...place, topLabel: top.label[lang] } : place;
    };
  }

  return {
    /**
     * The report of a programme's year. Its figures always count every initiative; `initiatives`
     * lists those of one page (`{ page, pageSize }`, the first page 1), all of them, or none.
     */
    yearReport(programmeId: string, year: number, lang: Language, want: InitiativesWanted = 'all') {
      const current = programmes.get(programmeId);
      if (!current) throw new DomainError('not-found', `no programme ${programmeId}`);
      const pools: PoolView[] = money.pools(programmeId, year);
      if (pools.length === 0) {
        throw new DomainError('validation-failed', `the programme has no grant pool for ${year}`, {
          errors: [{ path: 'params.year', message: `no grant pool for ${year}; set one up first` }],
        });
      }
      const yearEnd = `${year}-12-31`;
      // The configuration in force at the year's end: its areas, its names of the bodies.
      const config = programmes.at(programmeId, `${yearEnd}T23:59:59.999Z`)?.config ?? current;
      const place = areaPlacer(programmeId, config, lang);
      const poolIds = pools.map((p) => p.id);

      // The year's money per case: what was committed for the year from its pools, and the
      // payments, repayments and releases in them. A case holding any counts in the year.
      const params = {
        programmeId,
        year,
        pools: JSON.stringify(poolIds),
        until: `${yearEnd}T23:59:59.999Z`,
        yearEnd,
        lastYearEnd: `${year - 1}-12-31`,
      };
      const moneyByCase = `WITH money(case_id, granted, paid, repaid, released) AS (
  SELECT case_id, sum(granted), sum(paid), sum(repaid), sum(released) FROM (
    SELECT case_id, amount_ore AS granted, 0 AS paid, 0 AS repaid, 0 AS released FROM commitments
    WHERE programme_id = @programmeId AND year = @year AND pool_id IN (SELECT value FROM json_each(@pools))
    UNION ALL
    SELECT case_id, 0, iif(kind = 'payment', amount_ore, 0), iif(kind = 'repayment', amount_ore, 0), iif(kind = 'release', amount_ore, 0)
    FROM grant_movements WHERE pool_id IN (SELECT value FROM json_each(@pools))
  ) GROUP BY case_id)`;
      // Every case that existed by the year's end (a decided initiative imported later from the
      // day it was decided), and any later one holding money for the year.
      const inYear = `c.programme_id = @programmeId AND (c.created_at <= @until
  OR json_extract(c.report_facts, '$.decision.decidedOn') <= @until OR c.id IN (SELECT case_id FROM money))`;

      // The figures, counted in SQL over the index of what reports read (cases_report), never
      // from the snapshots: one row per kind of case (area, state, scope, recommendation).
      const spentBy = (day: string) =>
        `coalesce((SELECT max(json_extract(f.value, '$.spentToDateOre')) FROM json_each(c.report_facts, '$.followUps') f WHERE json_extract(f.value, '$.date') <= ${day}), 0)`;
      const groups = db.$client
        .prepare(
          `${moneyByCase}
SELECT c.priority_area_id, c.programme_version, c.outcome, c.steps,
  json_extract(c.report_facts, '$.scope.level') AS scope_level,
  coalesce(json_extract(c.report_facts, '$.scaleUpDecision'), json_extract(c.report_facts, '$.scaleUpRecommendation')) AS recommendation,
  count(*), min(c.diary_number),
  coalesce(sum(m.granted), 0), coalesce(sum(m.paid), 0), coalesce(sum(m.repaid), 0), coalesce(sum(m.released), 0),
  sum(iif(json_array_length(c.report_facts, '$.followUps') > 0, ${spentBy('@yearEnd')} - ${spentBy('@lastYearEnd')}, 0))
FROM cases c LEFT JOIN money m ON m.case_id = c.id
WHERE ${inYear}
GROUP BY 1, 2, 3, 4, 5, 6`,
        )
        .raw(true)
        .all(params) as [
        string | null,
        number,
        string | null,
        string,
        Scope | null,
        string | null,
        number,
        string,
        number,
        number,
        number,
        number,
        number,
      ][];

      const stateOf = new Map<string, string>();
      const stateLabel = (outcome: string | null, stepList: string) => {
        const key = `${outcome ?? ''}|${stepList}`;
        let state = stateOf.get(key);
        if (state === undefined) {
          const steps = stepList.split(',').filter(Boolean).map(Number);
          state = outcome ? t(lang, `outcomes.${outcome}`) : steps.map((s) => t(lang, `steps.${s}`)).join('; ');
          stateOf.set(key, state);
        }
        return state;
      };
      const placeOf = new Map<string, AreaPlace>();
      const placed = (areaId: string | null, version: number) => {
        if (!areaId) return undefined;
        const key = `${version}|${areaId}`;
        let area = placeOf.get(key);
        if (!area) placeOf.set(key, (area = place(areaId, version)));
        return area;
      };
      // In the order of their first case by diary number, as the list of initiatives has them.
      const initiatives: Tally[] = groups
        .map(([areaId, version, outcome, steps, scopeLevel, recommendation, count, first, granted, paid, repaid, released, spent]) => {
          const area = placed(areaId, version);
          return {
            first,
            count,
            topAreaId: area?.topId ?? null,
            topArea: area?.topLabel ?? '',
            subAreaId: area?.subId ?? null,
            subArea: area?.subLabel ?? '',
            scopeLevel,
            state: stateLabel(outcome, steps),
            recommended: recommendation === 'implement' || recommendation === 'scale-up',
            grantedOre: granted,
            paidOre: paid,
            unpaidOre: granted - paid - released,
            releasedOre: released,
            repaidOre: repaid,
            spentOre: spent,
          };
        })
        .sort((x, y) => (x.first < y.first ? -1 : x.first > y.first ? 1 : 0));

      // The initiatives listed: one page of them, all, or none.
      const [limit, offset] = want === 'all' ? [-1, 0] : want === 'none' ? [0, 0] : [want.pageSize, (want.page - 1) * want.pageSize];
      const listed =
        limit === 0
          ? []
          : (db.$client
              .prepare(
                `${moneyByCase}
SELECT c.id, c.diary_number, c.title, c.priority_area_id, c.steps, c.status, c.outcome, c.programme_version, c.report_facts
FROM cases c WHERE ${inYear} ORDER BY c.diary_number LIMIT @limit OFFSET @offset`,
              )
              .raw(true)
              .all({ ...params, limit, offset }) as [
              string,
              string,
              string,
              string | null,
              string,
              'active' | 'done',
              string | null,
              number,
              string | null,
            ][]);
      const ids = JSON.stringify(listed.map((r) => r[0]));
      const committed = db
        .select()
        .from(commitments)
        .where(
          and(
            eq(commitments.programmeId, programmeId),
            eq(commitments.year, year),
            inArray(commitments.poolId, poolIds),
            inArray(commitments.caseId, sql`(SELECT value FROM json_each(${ids}))`),
          ),
        )
        .orderBy(asc(commitments.createdAt))
        .all();
      const movements = db
        .select()
        .from(grantMovements)
        .where(and(inArray(grantMovements.poolId, poolIds), inArray(grantMovements.caseId, sql`(SELECT value FROM json_each(${ids}))`)))
        .all();
      // Grouped by case once: a page may list thousands of cases.
      const groupBy = <T extends { caseId: string }>(items: T[]) => {
        const by = new Map<string, T[]>();
        for (const item of items) {
          const list = by.get(item.caseId);
          if (list) list.push(item);
          else by.set(item.caseId, [item]);
        }
        return by;
      };
      const committedBy = groupBy(committed);
      const movedBy = groupBy(movements);
      const moneyOf = (caseId: string) => {
        const mine = committedBy.get(caseId) ?? [];
        const moved = (kind: 'payment' | 'repayment' | 'release') =>
          sum((movedBy.get(caseId) ?? []).filter((m) => m.kind === kind).map((m) => m.amountOre));
        const grantedOre = sum(mine.map((c) => c.amountOre));
        const [paidOre, repaidOre, releasedOre] = [moved('payment'), moved('repayment'), moved('release')];
        return {
          grantedOre,
          paidOre,
          unpaidOre: grantedOre - paidOre - releasedOre,
          releasedOre,
          repaidOre,
          override: mine.find((c) => c.overrideMotivation !== null)?.overrideMotivation ?? null,
        };
      };
      const lines: InitiativeLine[] = listed.map(([id, diaryNumber, title, priorityAreaId, steps, status, outcome, version, json]) => {
        const facts = readFacts(json);
        const area = placed(priorityAreaId, version);
        const scope = facts.scope;
        const reported = [...facts.followUps].filter((f) => f.date <= yearEnd).sort((a, b) => a.date.localeCompare(b.date));
        const latest = new Map<string, number>();
        for (const f of reported) for (const v of f.indicatorValues) latest.set(v.indicatorId, v.value);
        const recommendation = facts.scaleUpDecision ?? facts.scaleUpRecommendation;
        return {
          caseId: id,
          diaryNumber,
          title,
          priorityAreaId,
          priorityArea: area ? (area.subId ? area.subLabel : area.topLabel) : '',
          topAreaId: area?.topId ?? null,
          topArea: area?.topLabel ?? '',
          subAreaId: area?.subId ?? null,
          subArea: area?.subLabel ?? '',
          scopeLevel: scope?.level ?? null,
          municipalities: scope?.municipalities ?? [],
          scope: scope
            ? `${t(lang, `scopes.${scope.level}`)}${scope.municipalities.length ? `: ${scope.municipalities.join(', ')}` : ''}`
            : '',
          status,
          state: stateLabel(outcome, steps),
          ...moneyOf(id),
          spentOre: spentUpTo(facts, yearEnd) - spentUpTo(facts, `${year - 1}-12-31`),
          indicators: facts.indicators.map((ind) => {
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

      // The initiatives recommended for implementation or scale-up, and those named beside the
      // pools' overrides: read only when there are any.
      const recommended = !initiatives.some((i) => i.recommended)
        ? []
        : (
            db.$client
              .prepare(
                `${moneyByCase}
SELECT c.id, c.diary_number, c.title,
  coalesce(json_extract(c.report_facts, '$.scaleUpDecision'), json_extract(c.report_facts, '$.scaleUpRecommendation')) AS recommendation
FROM cases c WHERE ${inYear} AND recommendation IN ('implement', 'scale-up') ORDER BY c.diary_number`,
              )
              .raw(true)
              .all(params) as [string, string, string, 'implement' | 'scale-up'][]
          ).map(([caseId, diaryNumber, title, recommendation]) => ({ caseId, diaryNumber, title, recommendation }));
      const overridden = [...new Set(pools.flatMap((p) => p.overrides.map((o) => o.caseId)))];
      const byCase = new Map(
        overridden.length === 0
          ? []
          : db
              .select({ id: cases.id, diaryNumber: cases.diaryNumber, title: cases.title })
              .from(cases)
              .where(and(eq(cases.programmeId, programmeId), inArray(cases.id, overridden)))
              .all()
              .map((c) => [c.id, c]),
      );

      // Every area of the configuration in its order, zeros included; a case in a sub-area
      // counts there and in its area. Areas the configuration no longer has come after.
      const areaRow = (id: string, label: string, subs: { id: string; label: string }[]): AreaRow => {
        const mine = initiatives.filter((i) => i.topAreaId === id);
        return {
          priorityAreaId: id,
          label,
          ...addUp(mine),
          subAreas: subs.map((s) => ({ priorityAreaId: s.id, label: s.label, ...addUp(mine.filter((i) => i.subAreaId === s.id)) })),
        };
      };
      const configured = new Set(config.priorityAreas.map((a) => a.id));
      const byPriorityArea: AreaRow[] = config.priorityAreas.map((a) => {
        const listed = (a.subAreas ?? []).map((s) => ({ id: s.id, label: s.label[lang] }));
        const removed = initiatives
          .filter((i) => i.topAreaId === a.id && i.subAreaId && !listed.some((s) => s.id === i.subAreaId))
          .map((i) => ({ id: i.subAreaId!, label: i.subArea }));
        return areaRow(a.id, a.label[lang], firstOfEach([...listed, ...removed]));
      });
      const others = initiatives.filter((i) => i.topAreaId !== null && !configured.has(i.topAreaId));
      for (const id of [...new Set(others.map((i) => i.topAreaId!))]) {
        const mine = others.filter((i) => i.topAreaId === id);
        const subs = mine.filter((i) => i.subAreaId).map((i) => ({ id: i.subAreaId!, label: i.subArea }));
        byPriorityArea.push(areaRow(id, mine[0]!.topArea, firstOfEach(subs)));
      }
      const withoutArea = initiatives.filter((i) => i.topAreaId === null);
      if (withoutArea.length > 0) {
        byPriorityArea.push({ priorityAreaId: null, label: t(lang, 'reports.noArea'), ...addUp(withoutArea), subAreas: [] });
      }

      // What each pool granted per scope of the initiatives: asked only beside a distribution.
      let granted: { poolId: string; scope: Scope | null; amountOre: number }[] | undefined;
      const grantedByScope = () =>
        (granted ??= db.$client
          .prepare(
            `SELECT m.pool_id, json_extract(c.report_facts, '$.scope.level'), sum(m.amount_ore) FROM commitments m JOIN cases c ON c.id = m.case_id
WHERE m.programme_id = @programmeId AND m.year = @year AND m.pool_id IN (SELECT value FROM json_each(@pools)) GROUP BY 1, 2`,
          )
          .raw(true)
          .all({ programmeId, year, pools: params.pools })
          .map((r) => {
            const [poolId, scope, amountOre] = r as [string, Scope | null, number];
            return { poolId, scope, amountOre };
          }));

      // The newest distribution decision of each pool, and what was granted per scope beside it.
      const distributions = pools.flatMap((pool) => {
        const decision = db
          .select()
          .from(poolDistributions)
          .where(eq(poolDistributions.poolId, pool.id))
          .orderBy(desc(poolDistributions.createdAt), desc(poolDistributions.id))
          .limit(1)
          .get();
        if (!decision) return [];
        const lines = db
          .select()
          .from(poolDistributionLines)
          .where(eq(poolDistributionLines.distributionId, decision.id))
          .orderBy(asc(poolDistributionLines.line))
          .all();
        const grantedFromPool = (scope: Scope) => grantedByScope().find((g) => g.poolId === pool.id && g.scope === scope)?.amountOre ?? 0;
        return [
          {
            poolId: pool.id,
            poolKind: pool.kind,
            poolName: pool.name,
            decidedBy: decision.decidedBy,
            decisionDate: decision.decisionDate,
            reference: decision.reference,
            motivation: decision.motivation,
            lines: lines.map((l) => {
              const area = l.priorityAreaId ? place(l.priorityAreaId, programmes.version(programmeId)) : undefined;
              return {
                scope: l.scope,
                scopeLabel: t(lang, `scopes.${l.scope}`),
                recipient: l.recipient,
                priorityAreaId: l.priorityAreaId,
                priorityArea: area ? (area.subId ? area.subLabel : area.topLabel) : '',
                amountOre: l.amountOre,
              };
            }),
            byScope: SCOPES.map((scope) => ({
              scope,
              label: t(lang, `scopes.${scope}`),
              distributedOre: sum(lines.filter((l) => l.scope === scope).map((l) => l.amountOre)),
              grantedOre: grantedFromPool(scope),
            })),
          },
        ];
      });

      const scopes: (Scope | null)[] = [...SCOPES, ...(initiatives.some((i) => i.scopeLevel === null) ? [null] : [])];
      const byScope = scopes.map((scope) => {
        const mine = initiatives.filter((i) => i.scopeLevel === scope);
        return {
          scope,
          label: scope ? t(lang, `scopes.${scope}`) : t(lang, 'reports.noScope'),
          initiatives: sum(mine.map((i) => i.count)),
          grantedOre: sum(mine.map((i) => i.grantedOre)),
          distributedOre:
            scope === null ? 0 : sum(distributions.flatMap((d) => d.lines.filter((l) => l.scope === scope).map((l) => l.amountOre))),
        };
      });

      const overrides = pools.flatMap((pool) =>
        pool.overrides.map((o) => ({
          poolId: pool.id,
          poolKind: pool.kind,
          poolName: pool.name,
          caseId: o.caseId,
          diaryNumber: byCase.get(o.caseId)?.diaryNumber ?? '',
          title: byCase.get(o.caseId)?.title ?? '',
          amountOre: o.amountOre,
          motivation: o.motivation,
        })),
      );

      const countBy = (key: (i: Tally) => string) => {
        const counts = new Map<string, number>();
        for (const i of initiatives) counts.set(key(i), (counts.get(key(i)) ?? 0) + i.count);
        return [...counts].map(([label, count]) => ({ label, count }));
      };
      const poolSum = (key: keyof PoolView) => sum(pools.map((p) => p[key] as number));
      const bodies = (Object.keys(config.bodies) as (keyof Bodies)[]).reduce(
        (out, key) => ({ ...out, [key]: config.bodies[key][lang] }),
        {} as Record<keyof Bodies, { name: string; genitive: string }>,
      );
      return {
        programme: {
          id: config.id,
          name: config.name[lang],
          organisation: config.organisation[lang],
          taxonomy: config.taxonomy[lang],
          bodies,
        },
        year,
        language: lang,
        totals: {
          initialOre: poolSum('initialAmountOre'),
          correctionsOre: poolSum('correctionsOre'),
          carriedInOre: poolSum('carriedInOre'),
          carriedOutOre: poolSum('carriedOutOre'),
          poolOre: poolSum('amountOre'),
          committedOre: poolSum('committedOre'),
          releasedOre: poolSum('releasedOre'),
          paidOre: poolSum('paidOre'),
          repaidOre: poolSum('repaidOre'),
          unpaidOre: poolSum('unpaidOre'),
          remainingOre: poolSum('remainingOre'),
          spentOre: sum(initiatives.map((i) => i.spentOre)),
          initiatives: sum(initiatives.map((i) => i.count)),
          overdrawn: pools.some((p) => p.overdrawn),
        },
        pools,
        overrides,
        byState: countBy((i) => i.state),
        byPriorityArea,
        byScope,
        distributions,
        /** The initiatives of the page asked for (all of them unless a page is asked for), in diary-number order. */
        initiatives: lines,
        initiativesPage: {
          page: typeof want === 'object' ? want.page : 1,
          pageSize: typeof want === 'object' ? want.pageSize : lines.length,
          pages: typeof want === 'object' ? Math.max(1, Math.ceil(sum(initiatives.map((i) => i.count)) / want.pageSize)) : 1,
        },
        recommendedForImplementationOrScaleUp: recommended,
      };
    },

    /** Decided (approved) initiatives for transparency: no personal data, only what was decided. */
    publicInitiatives(programmeId: string) {
      const config = programmes.get(programmeId);
      if (!config) throw new DomainError('not-found', `no programme ${programmeId}`);
      const approved: { row: CaseFacts; decision: NonNullable<ReportFacts['decision']> }[] = [];
      eachCase(programmeId, '9999', undefined, (row) => {
        if (row.facts.decision?.decision === 'approve') approved.push({ row, decision: row.facts.decision });
      });
      return {
        programme: { id: config.id, name: config.name, organisation: config.organisation },
        initiatives: approved.map(({ row, decision }) => {
          // What was proposed, read from the proposal of a decided initiative only.
          const proposed = proposal.get({ id: row.id }) ?? { purpose: null, participants: null };
          const granted = money.grantedTo(row.id);
          return {
            diaryNumber: row.diaryNumber,
            title: row.title,
            purpose: proposed.purpose ?? '',
            parties: ((proposed.participants ? JSON.parse(proposed.participants) : []) as Participants).map((p) => ({
              name: p.name,
              kind: p.kind,
            })),
            grantedOre: granted.reduce((a, g) => a + g.amountOre, 0),
            grantedByYear: granted,
            // An imported decision keeps the day it was made; `at` is when it was recorded.
            decisionDate: decision.decidedOn ?? decision.at.slice(0, 10),
            decisionReference: decision.reference ?? row.diaryNumber,
            outcome: row.outcome,
          };
        }),
      };
    },
  };
}

export type Reports = ReturnType<typeof createReports>;
export type YearReport = ReturnType<Reports['yearReport']>;
export type PublicInitiatives = ReturnType<Reports['publicInitiatives']>;
