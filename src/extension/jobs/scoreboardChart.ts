// The scoreboard's chart: inline SVG drawn from the rows, one panel per measure sharing the rows' axis
// (the first column, e.g. the date). The first column of whole numbers (a count such as graded) is drawn
// as bars; every other numeric column (MAE, accuracy, …) as a line with its points, on its own scale
// (min and max labeled), so figures of different sizes stay readable. A before read, when given, is
// drawn as a dashed line under each measure.
//
// Colors are classes styled by media/scoreboard/scoreboard.css with the theme's chart colors: no
// inline style (the page's policy allows none), no remote resource. Every text is escaped.
// No vscode import: unit-tested as a string.
import type { Cell, QueryTable } from '../../core/jobs/bigquery';
import { cellTexts, numericColumns } from '../../core/jobs/table';
import { escapeHtml } from '../platform/html';

const WIDTH = 720;
const LEFT = 120;
const RIGHT = 12;
const BAR_HEIGHT = 80;
const LINE_HEIGHT = 64;
const GAP = 22;
const TOP = 6;
const AXIS = 20;
/** Most row labels written under the axis; others are skipped evenly (each bar and point keeps its tooltip). */
const MAX_LABELS = 12;

interface Panel {
  column: number;
  kind: 'bars' | 'line';
}

/** Which columns the chart draws and how; empty when there is nothing to draw. */
export function chartPanels(table: QueryTable): Panel[] {
  if (table.rows.length === 0 || table.columns.length < 2) return [];
  const numeric = numericColumns(table);
  const columns = table.columns.map((_, i) => i).filter((i) => i > 0 && numeric[i] && table.rows.some((row) => row[i] !== null));
  const bars = columns.find((i) => table.rows.every((row) => row[i] === null || Number.isInteger(row[i])));
  return [...(bars === undefined ? [] : [{ column: bars, kind: 'bars' as const }]), ...columns.filter((i) => i !== bars).map((column) => ({ column, kind: 'line' as const }))];
}

/** The chart as an <svg> element, or '' when the table has no numbers to draw. */
export function scoreboardChartSvg(table: QueryTable, before?: QueryTable | null): string {
  const panels = chartPanels(table);
  if (panels.length === 0) return '';
  const texts = cellTexts(table);
  const labels = table.rows.map((row) => String(row[0] ?? '-'));
  const band = (WIDTH - LEFT - RIGHT) / labels.length;
  const xOf = (index: number): number => LEFT + band * (index + 0.5);
  const beforeValues = (column: number): Array<number | null> | null => {
    if (!before) return null;
    const at = before.columns.indexOf(table.columns[column]!);
    if (at < 0) return null;
    const byKey = new Map(before.rows.map((row) => [String(row[0] ?? '-'), row[at]]));
    return labels.map((label) => numberOrNull(byKey.get(label) ?? null));
  };

  const parts: string[] = [];
  let y = TOP;
  let lineIndex = 0;
  for (const panel of panels) {
    const height = panel.kind === 'bars' ? BAR_HEIGHT : LINE_HEIGHT;
    const name = table.columns[panel.column]!;
    const values = table.rows.map((row) => numberOrNull(row[panel.column]!));
    const previous = panel.kind === 'line' ? beforeValues(panel.column) : null;
    const all = [...values, ...(previous ?? [])].filter((v): v is number => v !== null);
    let low = panel.kind === 'bars' ? Math.min(0, ...all) : Math.min(...all);
    let high = Math.max(...all);
    if (high === low) {
      high += 1;
      if (panel.kind === 'line') low -= 1;
    }
    const yOf = (value: number): number => y + height - ((value - low) / (high - low)) * height;
    const series = panel.kind === 'line' ? `series-${lineIndex++ % 4}` : 'bars';
    parts.push(`<g class="panel ${series}" data-column="${escapeHtml(name)}" data-kind="${panel.kind}">`);
    parts.push(`<text class="panel-name" x="4" y="${fmt(y + 12)}">${escapeHtml(name)}</text>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${fmt(y + 9)}" text-anchor="end">${escapeHtml(tickText(high, texts, panel.column))}</text>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${fmt(y + height)}" text-anchor="end">${escapeHtml(tickText(low, texts, panel.column))}</text>`);
    parts.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fmt(y)}" y2="${fmt(y)}"/>`);
    parts.push(`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${fmt(y + height)}" y2="${fmt(y + height)}"/>`);
    if (panel.kind === 'bars') {
      const width = Math.max(1, band * 0.7);
      values.forEach((value, i) => {
        if (value === null) return;
        const top = yOf(Math.max(0, value));
        const bottom = yOf(Math.min(0, value));
        parts.push(`<rect class="bar" x="${fmt(xOf(i) - width / 2)}" y="${fmt(top)}" width="${fmt(width)}" height="${fmt(Math.max(0.5, bottom - top))}"><title>${escapeHtml(`${labels[i]}: ${name} ${texts[i]![panel.column]}`)}</title></rect>`);
      });
    } else {
      if (previous) parts.push(...polylines(previous, xOf, yOf, 'line before'));
      parts.push(...polylines(values, xOf, yOf, 'line'));
      values.forEach((value, i) => {
        if (value === null) return;
        parts.push(`<circle class="point" cx="${fmt(xOf(i))}" cy="${fmt(yOf(value))}" r="3"><title>${escapeHtml(`${labels[i]}: ${name} ${texts[i]![panel.column]}`)}</title></circle>`);
      });
    }
    parts.push('</g>');
    y += height + GAP;
  }
  const step = Math.ceil(labels.length / MAX_LABELS);
  const axisY = y - GAP + AXIS - 6;
  labels.forEach((label, i) => {
    if (i % step !== 0) return;
    parts.push(`<text class="label" x="${fmt(xOf(i))}" y="${fmt(axisY)}" text-anchor="middle">${escapeHtml(label)}</text>`);
  });
  const height = axisY + 6;
  const bars = panels.filter((p) => p.kind === 'bars').map((p) => table.columns[p.column]!);
  const lines = panels.filter((p) => p.kind === 'line').map((p) => table.columns[p.column]!);
  const summary = [bars.length ? `${bars.join(', ')} as bars` : '', lines.length ? `${lines.join(', ')} as lines` : ''].filter(Boolean).join('; ');
  const title = `${summary}, per ${table.columns[0]}${before ? ' (dashed: before the run)' : ''}`;
  return `<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${WIDTH} ${fmt(height)}" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">${escapeHtml(title)}</title>\n${parts.join('\n')}\n</svg>`;
}

function polylines(values: ReadonlyArray<number | null>, xOf: (i: number) => number, yOf: (v: number) => number, className: string): string[] {
  // A NULL breaks the line: each run of values is a polyline of its own.
  const runs: string[][] = [[]];
  values.forEach((value, i) => {
    if (value === null) runs.push([]);
    else runs[runs.length - 1]!.push(`${fmt(xOf(i))},${fmt(yOf(value))}`);
  });
  return runs.filter((points) => points.length > 0).map((points) => `<polyline class="${className}" points="${points.join(' ')}"/>`);
}

function numberOrNull(cell: Cell): number | null {
  return typeof cell === 'number' && Number.isFinite(cell) ? cell : null;
}

/** A scale's end with the decimals its column shows. */
function tickText(value: number, texts: string[][], column: number): string {
  const decimals = Math.max(0, ...texts.map((row) => (row[column]!.split('.')[1] ?? '').length));
  return value.toFixed(Math.min(decimals, 6));
}

function fmt(value: number): string {
  return String(Math.round(value * 10) / 10);
}
