import { t, type Language } from '../i18n/index.js';
import type { MultiYearIndicator, MultiYearReport } from './multi-year.js';

/*
 * The multi-year report's charts, drawn on the server as SVG by Apache ECharts (its
 * server-side rendering needs no DOM). ECharts is loaded only when a chart is drawn: a
 * dynamic import, so starting the server and every other request never load it.
 *
 * What ECharts writes is made fit for the site's Content-Security-Policy (no inline style):
 * the `style` attributes of its texts become presentation attributes (font-size, …), its
 * <style> block (hover effects only, nothing to hover on a server-drawn picture) and the
 * classes it styled go, and its ids get the chart's own prefix, so two charts on a page never
 * share one. The picture is `role="img"` with a name in the page's language; the table after
 * it on the page holds the same numbers (src/web/multi-year.ts), and a test reads both.
 * Series are told apart by shape and pattern (ECharts' decals), not by colour alone.
 */

export interface ChartSeries {
  /** The series' name: the legend's text and the heading of its column in the table after the chart. */
  name: string;
  type: 'bar' | 'line';
  /** One per category; null draws nothing there. */
  values: (number | null)[];
}

export interface ChartSpec {
  /** Unique on the page: the prefix of the SVG's ids. */
  key: string;
  /** The picture's accessible name. */
  label: string;
  categories: string[];
  series: ChartSeries[];
  lang: Language;
}

/** A drawn chart: the SVG, ready to be put into a page. */
export interface DrawnChart {
  key: string;
  svg: string;
}

const WIDTH = 720;
const HEIGHT = 320;
/** Colours with at least 3:1 contrast against white, after GOV.UK's palette. */
const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#4c2c92', '#b58840', '#505a5f'];
const INK = '#0b0c0c';

/** The presentation attributes a `style` of ECharts may set; anything else in it is dropped. */
const PRESENTATION = new Set([
  'fill',
  'fill-opacity',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'opacity',
  'stroke',
  'stroke-dasharray',
  'stroke-opacity',
  'stroke-width',
  'text-decoration',
]);

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** ECharts' SVG made fit for a page with a strict Content-Security-Policy, named and with ids of its own. */
export function pageReadySvg(svg: string, key: string, label: string): string {
  const prefix = `chart-${key.replace(/[^a-z0-9-]/gi, '-')}`;
  const name = escapeAttribute(label);
  return (
    svg
      // The <style> block: hover effects only.
      .replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '')
      .replace(/ class="zr\d+-cls-\d+"/g, '')
      .replace(/ style="([^"]*)"/g, (_, css: string) =>
        css
          .split(';')
          .map((d) => d.split(':').map((x) => x.trim()))
          .filter(([prop, value]) => prop && value && PRESENTATION.has(prop))
          .map(([prop, value]) => ` ${prop}="${escapeAttribute(value!)}"`)
          .join(''),
      )
      .replace(/\bzr\d+-/g, `${prefix}-`)
      .replace(/<defs >/g, '<defs>')
      .replace(/<g >/g, '<g>')
      .replace(
        /^<svg /,
        `<svg role="img" aria-label="${name}" focusable="false" class="chart" id="${prefix}" data-chart="${escapeAttribute(key)}" `,
      )
      .replace(/^(<svg[^>]*>)/, `$1<title>${name}</title>`)
  );
}

/** Draws the charts, in order. ECharts is imported here, on the first call, and never before. */
export async function drawCharts(specs: ChartSpec[]): Promise<DrawnChart[]> {
  if (specs.length === 0) return [];
  const echarts = await import('echarts');
  return specs.map((spec) => {
    const locale = spec.lang === 'sv' ? 'sv-SE' : 'en-GB';
    const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
    try {
      chart.setOption({
        animation: false,
        aria: { enabled: true, decal: { show: true } },
        color: COLOURS,
        textStyle: { fontFamily: 'sans-serif', fontSize: 13, color: INK },
        grid: { left: 16, right: 24, top: 24, bottom: 56, containLabel: true },
        legend: { bottom: 0, textStyle: { color: INK, fontSize: 13 } },
        xAxis: {
          type: 'category',
          data: spec.categories,
          axisLabel: { color: INK },
          axisLine: { lineStyle: { color: INK } },
        },
        yAxis: {
          type: 'value',
          axisLabel: { color: INK, formatter: (value: number) => number.format(value) },
          splitLine: { lineStyle: { color: '#b1b4b6' } },
        },
        series: spec.series.map((s) =>
          s.type === 'line'
            ? {
                name: s.name,
                type: 'line',
                data: s.values,
                connectNulls: true,
                showAllSymbol: true,
                symbol: 'diamond',
                symbolSize: 12,
                lineStyle: { type: 'dashed', width: 2 },
              }
            : { name: s.name, type: 'bar', data: s.values, barMaxWidth: 48 },
        ),
      });
      return { key: spec.key, svg: pageReadySvg(chart.renderToSVGString(), spec.key, spec.label) };
    } finally {
      chart.dispose();
    }
  });
}

/** The indicators drawn as charts: those measured in numbers (yes/no and documents are told in the table only). */
export const chartedIndicators = (report: MultiYearReport): MultiYearIndicator[] =>
  (report.plan?.indicators ?? []).filter((i) => i.kind === 'number' || i.kind === 'percentage');

const asNumber = (v: number | boolean | null) => (typeof v === 'number' ? v : null);

/** An indicator's chart: its target (a dashed line of diamonds) and measured value (bars) per year. */
export function indicatorChart(report: MultiYearReport, ind: MultiYearIndicator): ChartSpec {
  const lang = report.language;
  return {
    key: `indicator-${ind.id}`,
    label: t(lang, 'multiYear.chartIndicator', { indicator: ind.label, from: report.fromYear, to: report.toYear }),
    categories: ind.years.map((y) => String(y.year)),
    series: [
      { name: t(lang, 'multiYear.target'), type: 'line', values: ind.years.map((y) => asNumber(y.target)) },
      { name: t(lang, 'multiYear.measured'), type: 'bar', values: ind.years.map((y) => asNumber(y.value)) },
    ],
    lang,
  };
}

/** The money figures charted per year, in kronor; the table after the chart has these columns. */
export const CHARTED_MONEY = ['poolOre', 'grantedOre', 'paidOre', 'spentOre', 'releasedOre'] as const;

/** The money per year: the pools, granted, paid, reported spent and released, in kronor. */
export function moneyChart(report: MultiYearReport): ChartSpec {
  const lang = report.language;
  return {
    key: 'money',
    label: t(lang, 'multiYear.chartMoney', { from: report.fromYear, to: report.toYear }),
    categories: report.money.years.map((y) => String(y.year)),
    series: CHARTED_MONEY.map((figure) => ({
      name: t(lang, `multiYear.figures.${figure}`),
      type: 'bar' as const,
      values: report.money.years.map((y) => y[figure] / 100),
    })),
    lang,
  };
}

/** Every chart of the report, in page order: each indicator measured in numbers, then the money. */
export const reportCharts = (report: MultiYearReport): ChartSpec[] => [
  ...chartedIndicators(report).map((i) => indicatorChart(report, i)),
  moneyChart(report),
];
