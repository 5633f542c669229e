import { DomainError, type FieldError } from '../errors.js';
import type { Language } from '../i18n/index.js';
import type { Money } from '../money/service.js';
import type { IndicatorKind, IndicatorValue } from '../plans/document.js';
import { followUpDay, isOverdue, yearOutcome, type YearOutcome } from '../plans/outcome.js';
import type { Plans } from '../plans/service.js';
import { allAreas } from '../programmes/config.js';
import type { ProgrammeService } from '../programmes/service.js';
import type { Reports } from './programme-year.js';

/*
 * The multi-year report: a programme's plan in force followed across the programme's years
 * (up to this year, or a chosen range): the decision and the next revision date, the goals
 * by horizon, each indicator's target and measured value per year with the year's outcome,
 * the assignments (overdue or not, at the clock), and the money per year. One function makes
 * it; the JSON, CSV, Excel workbook and the page (with its charts) all render this object.
 *
 * Whether a target is met and whether an assignment is overdue is the plan's own rule
 * (src/plans/outcome.ts), as the plan's page says it. The money of a year is the
 * programme-year report's totals for that year (its pools' figures, and what the initiatives
 * reported spent), taken from that report, so the two cannot disagree.
 */

export interface MultiYearDeps {
  programmes: Pick<ProgrammeService, 'get'>;
  plans: Pick<Plans, 'inForceForReport'>;
  reports: Pick<Reports, 'yearReport'>;
  money: Pick<Money, 'pools'>;
  now: () => Date;
}

/** The money of a year, whole öre: the programme-year report's totals. */
export interface MoneyYear {
  year: number;
  /** How many grant pools the year has; none: every figure is 0 and the year has no programme-year report. */
  pools: number;
  poolOre: number;
  grantedOre: number;
  paidOre: number;
  releasedOre: number;
  repaidOre: number;
  unpaidOre: number;
  remainingOre: number;
  spentOre: number;
}

/** The money figures, in the order the tables, the CSV and the chart give them. */
export const MONEY_FIGURES = [
  'poolOre',
  'grantedOre',
  'paidOre',
  'releasedOre',
  'repaidOre',
  'unpaidOre',
  'remainingOre',
  'spentOre',
] as const;
export type MoneyFigure = (typeof MONEY_FIGURES)[number];

export interface IndicatorYear {
  year: number;
  /** A number for numbers and percentages; `true` for yes/no and documents (delivered); null without a target that year. */
  target: number | boolean | null;
  /** The latest value recorded for the year: a number, yes/no, or `true` for a delivered document; null if none. */
  value: number | boolean | null;
  /** A delivered document's title and reference. */
  document: { title: string; reference: string | null } | null;
  outcome: YearOutcome;
}

export interface MultiYearIndicator {
  id: string;
  label: string;
  kind: IndicatorKind;
  unit: string | null;
  direction: 'increase' | 'decrease' | null;
  baseline: { year: number; value: number | boolean } | null;
  goalIds: string[];
  /** Every target of the plan, the report's years or not. */
  targets: { year: number; value: number | boolean }[];
  /** One per year of the report. */
  years: IndicatorYear[];
}

const numericValue = (v: IndicatorValue): number | boolean => (v.kind === 'document' ? true : v.value);

export function createMultiYearReports(deps: MultiYearDeps) {
  const { programmes, plans, reports, money, now } = deps;

  /** The years asked for: the programme's first up to this year (or its last), unless a range is chosen. */
  function yearsOf(first: number, last: number, thisYear: number, range: { from?: number; to?: number }) {
    const errors: FieldError[] = [];
    const outside = (year: number | undefined, path: string) => {
      if (year !== undefined && (year < first || year > last))
        errors.push({ path, message: `${year} is outside the programme's years ${first}–${last}` });
    };
    outside(range.from, 'querystring.from');
    outside(range.to, 'querystring.to');
    const from = range.from ?? first;
    const to = range.to ?? Math.max(from, Math.min(Math.max(thisYear, first), last));
    if (errors.length === 0 && from > to) errors.push({ path: 'querystring.to', message: `must not be before ${from}` });
    if (errors.length > 0) throw new DomainError('validation-failed', 'the years are not valid', { errors });
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }

  return {
    multiYear(programmeId: string, lang: Language, range: { from?: number; to?: number } = {}) {
      const config = programmes.get(programmeId);
      if (!config) throw new DomainError('not-found', `no programme ${programmeId}`);
      const today = followUpDay(now());
      const thisYear = Number(today.slice(0, 4));
      const years = yearsOf(config.years.first, config.years.last, thisYear, range);
      const areas = new Map(allAreas(config).map((a) => [a.id, a.label[lang]]));

      const inForce = plans.inForceForReport(programmeId);
      const plan = inForce && {
        version: inForce.version,
        title: inForce.document.title,
        summary: inForce.document.summary ?? null,
        adoptedBy: inForce.adoptedByBody,
        reference: inForce.decisionReference,
        decisionDate: inForce.decisionDate,
        nextRevisionDue: inForce.nextRevisionDue,
        revisionOverdue: inForce.nextRevisionDue < today,
        goals: [...inForce.document.goals]
          .sort((a, b) => b.horizonYears - a.horizonYears)
          .map((g) => ({
            id: g.id,
            title: g.title,
            horizonYears: g.horizonYears,
            targetYear: g.targetYear,
            areas: g.areaIds.map((id) => ({ id, label: areas.get(id) ?? id })),
          })),
        indicators: inForce.document.indicators.map((ind): MultiYearIndicator => {
          const measured = new Map(ind.values.map((v) => [v.year, v.value]));
          return {
            id: ind.id,
            label: ind.label,
            kind: ind.kind,
            unit: ind.unit ?? null,
            direction: ind.direction ?? null,
            baseline: ind.baseline ?? null,
            goalIds: ind.goalIds,
            targets: ind.targets,
            years: years.map((year) => {
              const target = ind.targets.find((x) => x.year === year)?.value;
              const value = measured.get(year);
              return {
                year,
                target: target ?? null,
                value: value ? numericValue(value) : null,
                document: value?.kind === 'document' ? { title: value.value.title, reference: value.value.reference ?? null } : null,
                outcome: yearOutcome(ind, year, target, value, thisYear),
              };
            }),
          };
        }),
        assignments: inForce.document.assignments.map((a) => ({
          id: a.id,
          title: a.title,
          responsible: a.responsible,
          due: { from: a.due.from, to: a.due.to, label: a.due.label ?? null },
          status: a.status,
          overdue: isOverdue(a, a.status, today),
        })),
      };

      // The money of each year is that year's programme-year report's totals.
      const withPools = new Set(money.pools(programmeId).map((p) => p.year));
      const moneyYears: MoneyYear[] = years.map((year) => {
        if (!withPools.has(year)) {
          return { year, pools: 0, ...(Object.fromEntries(MONEY_FIGURES.map((f) => [f, 0])) as Record<MoneyFigure, number>) };
        }
        const report = reports.yearReport(programmeId, year, lang, 'none');
        const tot = report.totals;
        return {
          year,
          pools: report.pools.length,
          poolOre: tot.poolOre,
          grantedOre: tot.committedOre,
          paidOre: tot.paidOre,
          releasedOre: tot.releasedOre,
          repaidOre: tot.repaidOre,
          unpaidOre: tot.unpaidOre,
          remainingOre: tot.remainingOre,
          spentOre: tot.spentOre,
        };
      });
      const totals = Object.fromEntries(MONEY_FIGURES.map((f) => [f, moneyYears.reduce((sum, y) => sum + y[f], 0)])) as Record<
        MoneyFigure,
        number
      >;

      return {
        programme: { id: config.id, name: config.name[lang], organisation: config.organisation[lang] },
        language: lang,
        /** The day the report was drawn up (Swedish time): what is overdue is overdue at this day. */
        asOf: today,
        fromYear: years[0]!,
        toYear: years.at(-1)!,
        years,
        plan: plan ?? null,
        money: { years: moneyYears, totals },
      };
    },
  };
}

export type MultiYearReports = ReturnType<typeof createMultiYearReports>;
export type MultiYearReport = ReturnType<MultiYearReports['multiYear']>;
export type MultiYearPlan = NonNullable<MultiYearReport['plan']>;
