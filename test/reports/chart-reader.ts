/*
 * Reads what a chart drawn by ECharts as SVG shows, from the picture alone: the y axis's tick
 * labels give the scale (pixels to values), the x axis's labels the categories, the legend the
 * series' names; each bar's top and each point's centre, through that scale, its value. And
 * reads the table that follows the chart on the page. `compareChartAndTable` holds one against
 * the other: the same categories in the same order, a drawn mark for every number of the
 * table and none where the table has none, each within a fraction of a pixel of it.
 */

const decode = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** A number as a label writes it in Swedish or English: spaces or commas between thousands, a decimal comma or point, a minus sign. */
export function labelNumber(text: string, lang: 'sv' | 'en'): number {
  const plain = decode(text)
    .replace(/[\s\u00a0\u202f]/g, '')
    .replace(/\u2212/g, '-');
  const normal = lang === 'sv' ? plain.replace(/,/g, '.') : plain.replace(/,/g, '');
  const value = Number(normal);
  if (!Number.isFinite(value)) throw new Error(`not a number: ${text}`);
  return value;
}

const attr = (attributes: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1];
const translate = (attributes: string) => {
  const m = /transform="translate\(([-\d.]+) ([-\d.]+)\)"/.exec(attributes);
  return m ? { x: Number(m[1]), y: Number(m[2]) } : undefined;
};

export interface ReadChart {
  label: string;
  categories: string[];
  series: string[];
  /** The value drawn for a series (by index) at a category (by index); absent: nothing drawn there. */
  drawn: Map<string, number>;
  /** How many values one pixel is, on the y axis. */
  valuePerPixel: number;
}

export function readChart(svg: string, lang: 'sv' | 'en'): ReadChart {
  const label = decode(/^<svg[^>]*\baria-label="([^"]*)"/.exec(svg)?.[1] ?? '');
  const texts = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ attributes: m[1]!, text: decode(m[2]!) }));
  const ticks = texts
    .filter((x) => attr(x.attributes, 'text-anchor') === 'end')
    .map((x) => ({ value: labelNumber(x.text, lang), y: translate(x.attributes)!.y }));
  if (ticks.length < 2) throw new Error('the chart has no y axis to read');
  const [low, high] = [ticks.reduce((a, b) => (b.value < a.value ? b : a)), ticks.reduce((a, b) => (b.value > a.value ? b : a))];
  const valuePerPixel = (high.value - low.value) / (low.y - high.y);
  const valueAt = (y: number) => low.value + (low.y - y) * valuePerPixel;
  const categories = texts
    .filter((x) => attr(x.attributes, 'text-anchor') === 'middle')
    .map((x) => ({ text: x.text, x: translate(x.attributes)!.x }))
    .sort((a, b) => a.x - b.x)
    .map((x) => x.text);
  const series = texts.filter((x) => attr(x.attributes, 'text-anchor') === 'start').map((x) => x.text);

  const drawn = new Map<string, number>();
  for (const m of svg.matchAll(/<path ([^>]*ecmeta_ssr_type="chart"[^>]*)>/g)) {
    const attributes = m[1]!;
    const key = `${attr(attributes, 'ecmeta_series_index')}:${attr(attributes, 'ecmeta_data_index')}`;
    const bar = /^M([-\d.]+) ([-\d.]+)l([-\d.]+) 0l0 ([-\d.]+)l([-\d.]+) 0Z$/.exec(attr(attributes, 'd') ?? '');
    const point = /matrix\([-\d.]+,0,0,[-\d.]+,([-\d.]+),([-\d.]+)\)/.exec(attr(attributes, 'transform') ?? '');
    // A bar stands on the zero line: its height is its value.
    if (bar) drawn.set(key, valueAt(Number(bar[2]) + Number(bar[4])) - valueAt(Number(bar[2])));
    else if (point) drawn.set(key, valueAt(Number(point[2])));
    else throw new Error(`a mark of the chart that is neither a bar nor a point: ${attributes}`);
  }
  return { label, categories, series, drawn, valuePerPixel };
}

export interface ReadTable {
  headers: string[];
  rows: { category: string; values: (number | null)[]; texts: string[] }[];
}

/** A table of the page: its column headers, and per body row its category (`data-year`) and each cell's `data-value`. */
export function readTable(table: string): ReadTable {
  const strip = (s: string) =>
    decode(s.replace(/<[^>]+>/g, ''))
      .replace(/\s+/g, ' ')
      .trim();
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(table)![1]!;
  const headers = [...head.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => strip(m[1]!));
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)![1]!;
  const rows = [...body.matchAll(/<tr[^>]*\bdata-year="(\d+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...m[2]!.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g)];
    return {
      category: m[1]!,
      values: cells.map((c) => {
        const v = attr(c[1]!, 'data-value');
        return v === undefined || v === '' ? null : Number(v);
      }),
      texts: cells.map((c) => strip(c[2]!)),
    };
  });
  return { headers, rows };
}

/** Every chart of a page with the table that follows it (the next element after the chart). */
export function chartsWithTables(page: string): { key: string; svg: string; table: string }[] {
  return [...page.matchAll(/<div class="chart">(<svg[\s\S]*?<\/svg>)<\/div>\s*(<table[\s\S]*?<\/table>)/g)].map((m) => ({
    key: /data-chart="([^"]*)"/.exec(m[1]!)![1]!,
    svg: m[1]!,
    table: m[2]!,
  }));
}

/**
 * What differs between the chart and its table: empty when the picture shows exactly the
 * table's numbers. A series is the table's column of the same name; a drawn value may be off
 * by at most `pixels` on the y axis (ECharts rounds its coordinates to a tenth of a pixel).
 */
export function compareChartAndTable(chart: ReadChart, table: ReadTable, pixels = 0.5): string[] {
  const problems: string[] = [];
  const categories = table.rows.map((r) => r.category);
  if (JSON.stringify(chart.categories) !== JSON.stringify(categories))
    problems.push(`categories ${chart.categories.join(',')} are not the table's ${categories.join(',')}`);
  if (chart.series.length === 0) problems.push('no series in the legend');
  chart.series.forEach((name, s) => {
    // The first header is the rows' own; the cells start at the second.
    const column = table.headers.indexOf(name) - 1;
    if (column < 0) {
      problems.push(`the table has no column "${name}"`);
      return;
    }
    table.rows.forEach((row, i) => {
      const expected = row.values[column] ?? null;
      const drawn = chart.drawn.get(`${s}:${i}`);
      if (expected === null && drawn !== undefined) problems.push(`${name} ${row.category}: drawn ${drawn}, the table has none`);
      else if (expected !== null && drawn === undefined) problems.push(`${name} ${row.category}: the table has ${expected}, nothing drawn`);
      else if (expected !== null && drawn !== undefined && Math.abs(drawn - expected) > pixels * chart.valuePerPixel)
        problems.push(`${name} ${row.category}: drawn ${drawn}, the table has ${expected}`);
    });
  });
  const marks = [...chart.drawn.keys()].filter((k) => Number(k.split(':')[0]) >= chart.series.length);
  if (marks.length > 0) problems.push(`marks of no series in the legend: ${marks.join(', ')}`);
  return problems;
}
