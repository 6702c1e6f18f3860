// The scoreboard webview's page: every text escaped, a policy that runs only the nonce'd script from the
// extension, the chart drawn from the rows, the Total row, the change after a run, BigQuery's message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cell } from '../../src/core/jobs/bigquery';
import type { Scoreboard } from '../../src/core/jobs/totals';
import { chartPanels, scoreboardChartSvg } from '../../src/extension/jobs/scoreboardChart';
import { scoreboardHtml, type ScoreboardPage, type ScoreboardRead } from '../../src/extension/jobs/scoreboardHtml';

const READ_AT = new Date('2026-01-30T23:05:09Z');
const COLUMNS = ['game_date', 'graded', 'mae', 'bias', 'accuracy'];
const ROWS: Cell[][] = [
  ['2026-01-24', 22, 4.52, 0.16, 40],
  ['2026-01-25', 99, 5.45, 1.14, 58.9],
  ['2026-01-26', 118, 5.59, 0.23, 55.3],
];

function board(columns: string[], rows: Cell[][], totals: Cell[] | null = null, totalsProblems: string[] = []): Scoreboard {
  return { columns, rows, totals, totalsSource: totals ? 'query' : null, totalsProblems };
}

function read(b: Scoreboard): ScoreboardRead {
  return { kind: 'read', board: b, readAt: READ_AT };
}

function page(overrides: Partial<ScoreboardPage> = {}): string {
  return scoreboardHtml({
    title: 'Scoreboard: grading-backfill',
    range: { start: '2026-01-24', end: '2026-01-26' },
    current: read(board(COLUMNS, ROWS, ['Total', 239, 5.41, 0.55, 54.2])),
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/scoreboard/scoreboard.css',
    scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/scoreboard/scoreboard.js',
    nonce: 'bm9uY2Vub25jZQ==',
    ...overrides,
  });
}

describe('scoreboard page', () => {
  it('runs only its nonce’d script and loads its stylesheet from the extension: no inline style, no remote resource', () => {
    const html = page();
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net; script-src 'nonce-bm9uY2Vub25jZQ=='">/);
    assert.doesNotMatch(html, /unsafe-inline|unsafe-eval|<style|style="/);
    assert.deepEqual(html.match(/<script[^>]*>/g), ['<script nonce="bm9uY2Vub25jZQ==" src="https://file+.vscode-resource.vscode-cdn.net/ext/media/scoreboard/scoreboard.js">']);
    assert.doesNotMatch(html.replace(/https:\/\/file\+\.vscode-resource\.vscode-cdn\.net/g, '').replace('http://www.w3.org/2000/svg', ''), /https?:/);
  });

  it('escapes column names, cells, titles and the range typed in the picker', () => {
    const html = page({
      title: 'Scoreboard: <job>',
      picker: { start: '"><img src=x>', end: '2026-01-26' },
      notice: 'Not read: <b>bad</b>.',
      current: read(board(['player', '<b>points</b>'], [['<img src=x onerror=alert(1)>', 22], ["o'neil \"x\"", null]])),
    });
    assert.doesNotMatch(html, /<img|<b>/);
    assert.match(html, /<h1>Scoreboard: &lt;job&gt;<\/h1>/);
    assert.match(html, /<th scope="col">player<\/th><th class="num" scope="col">&lt;b&gt;points&lt;\/b&gt;<\/th>/);
    assert.match(html, /<td>&lt;img src=x onerror=alert\(1\)&gt;<\/td><td class="num">22<\/td>/);
    assert.match(html, /<td>o&#39;neil &quot;x&quot;<\/td><td class="num">-<\/td>/);
    assert.match(html, /<input id="start" name="start" type="date" required value="&quot;&gt;&lt;img src=x&gt;">/);
    assert.match(html, /<p class="notice" role="alert">Not read: &lt;b&gt;bad&lt;\/b&gt;\.<\/p>/);
  });

  it('has the range picker with the range read, Refresh and Export CSV, and says when it was read', () => {
    const html = page();
    assert.match(html, /<input id="start" name="start" type="date" required value="2026-01-24">/);
    assert.match(html, /<input id="end" name="end" type="date" required value="2026-01-26">/);
    assert.match(html, /<button id="refresh" type="submit">Refresh<\/button>\s*<button id="export" type="button">Export CSV<\/button>/);
    assert.match(html, /<p class="subtitle">2026-01-24 to 2026-01-26 · 3 rows · read 23:05:09 UTC<\/p>/);
  });

  it('shows the Total row last, with the rows’ decimals', () => {
    const html = page();
    assert.match(html, /<tfoot><tr class="total" title="the query’s ROLLUP row"><th scope="row">Total<\/th><td class="num">239<\/td><td class="num">5\.41<\/td><td class="num">0\.55<\/td><td class="num">54\.2<\/td><\/tr><\/tfoot><\/table>/);
    const computed = page({ current: read({ ...board(['d', 'mae'], [['a', 4.52], ['b', 5.45]], ['Total', 638.99 / 121]), totalsSource: 'config' }) });
    assert.match(computed, /<th scope="row">Total<\/th><td class="num">5\.28<\/td>/);
  });

  it('shows BigQuery’s own message when the query failed, and offers no export', () => {
    const html = page({ current: { kind: 'failed', error: 'BigQuery: the query failed: Unrecognized name: <nosuch> at [1:8]', readAt: READ_AT } });
    assert.match(html, /<div class="error" role="alert"><p>The scoreboard query failed:<\/p><pre>BigQuery: the query failed: Unrecognized name: &lt;nosuch&gt; at \[1:8\]<\/pre><\/div>/);
    assert.match(html, /<button id="export" type="button" disabled>Export CSV<\/button>/);
    assert.doesNotMatch(html, /<svg|<table/);
  });

  it('lists the totals that could not be computed', () => {
    const html = page({ current: read(board(['d', 'n'], [['a', 1]], null, ['mae: the query returns no such column (columns: d, n)'])) });
    assert.match(html, /<li>mae: the query returns no such column \(columns: d, n\)<\/li>/);
  });

  it('after a run, shows each figure with its change from the read just before it, in the rows and the totals', () => {
    const before = read(board(COLUMNS, [['2026-01-24', 20, 4.7, 0.16, 35.5], ['2026-01-25', 99, 5.45, 1.14, 58.9]], ['Total', 119, 5.31, 0.97, 55.1]));
    const html = page({ before: { ...before, readAt: new Date('2026-01-30T23:01:00Z') } });
    assert.match(html, /<p class="subtitle">2026-01-24 to 2026-01-26 · 3 rows · before the run: read 23:01:00 UTC · after: read 23:05:09 UTC<\/p>/);
    assert.match(html, /<tr><td>2026-01-24<\/td><td class="num">22 <span class="delta up">\(\+2\)<\/span><\/td><td class="num">4\.52 <span class="delta down">\(−0\.18\)<\/span><\/td><td class="num">0\.16 <span class="delta same">\(±0\)<\/span><\/td><td class="num">40\.0 <span class="delta up">\(\+4\.5\)<\/span><\/td><\/tr>/);
    assert.match(html, /<tr><td>2026-01-26<\/td><td class="num">118 <span class="delta new">\(new\)<\/span><\/td>/);
    // 239 − 119 = 120; 5.41 − 5.31 = 0.10; 0.55 − 0.97 = −0.42; 54.2 − 55.1 = −0.9
    assert.match(html, /<tfoot><tr class="total" title="the query’s ROLLUP row"><th scope="row">Total<\/th><td class="num">239 <span class="delta up">\(\+120\)<\/span><\/td><td class="num">5\.41 <span class="delta up">\(\+0\.10\)<\/span><\/td><td class="num">0\.55 <span class="delta down">\(−0\.42\)<\/span><\/td><td class="num">54\.2 <span class="delta down">\(−0\.9\)<\/span><\/td><\/tr><\/tfoot>/);
    assert.match(html, /<polyline class="line before"/, 'the chart draws the before read dashed');
  });

  it('says why no change shows when the before read failed', () => {
    const html = page({ before: { kind: 'failed', error: 'BigQuery: cannot reach <the API>', readAt: READ_AT } });
    assert.match(html, /could not be read before the run \(BigQuery: cannot reach &lt;the API&gt;\), so no change is shown/);
    assert.doesNotMatch(html, /class="delta/);
  });

  it('says so when there are no rows', () => {
    assert.match(page({ current: read(board([], [])) }), /<p class="empty">No rows for this range\.<\/p>/);
  });
});

describe('scoreboard chart', () => {
  it('draws the count as bars and every other measure as a line with a point per date, each with its tooltip', () => {
    const svg = scoreboardChartSvg(board(COLUMNS, ROWS));
    assert.deepEqual(chartPanels(board(COLUMNS, ROWS)).map((p) => [COLUMNS[p.column], p.kind]), [['graded', 'bars'], ['mae', 'line'], ['bias', 'line'], ['accuracy', 'line']]);
    assert.match(svg, /^<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 720 \d+(\.\d)?" xmlns="http:\/\/www\.w3\.org\/2000\/svg"><title id="chart-title">graded as bars; mae, bias, accuracy as lines, per game_date<\/title>/);
    assert.equal(svg.match(/<rect class="bar"/g)?.length, 3);
    assert.equal(svg.match(/<polyline class="line"/g)?.length, 3);
    assert.equal(svg.match(/<circle class="point"/g)?.length, 9);
    assert.match(svg, /<title>2026-01-25: graded 99<\/title><\/rect>/);
    assert.match(svg, /<title>2026-01-24: accuracy 40\.0<\/title><\/circle>/);
    // The tallest bar (118) fills its panel; 22 is 22/118 of it.
    const heights = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(heights, [Math.round((80 * 22) / 118 * 10) / 10, Math.round((80 * 99) / 118 * 10) / 10, 80]);
    // Each line's scale is its own min..max, labeled with the column's decimals.
    assert.match(svg, /<g class="panel series-0" data-column="mae" data-kind="line">\n<text class="panel-name" x="4" y="[\d.]+">mae<\/text>\n<text class="tick" x="114" y="[\d.]+" text-anchor="end">5\.59<\/text>\n<text class="tick" x="114" y="[\d.]+" text-anchor="end">4\.52<\/text>/);
    for (const date of ['2026-01-24', '2026-01-25', '2026-01-26']) assert.match(svg, new RegExp(`<text class="label" x="[\\d.]+" y="[\\d.]+" text-anchor="middle">${date}</text>`));
    assert.doesNotMatch(svg, /style=|fill="#|stroke="#/, 'colors come from the theme through classes');
  });

  it('escapes names and labels, breaks a line at NULL, and draws nothing without numbers', () => {
    const svg = scoreboardChartSvg(board(['<d>', 'n', '<v>'], [['<a>', 1, 1.5], ['b', 2, null], ['c', 3, 2.5]]));
    assert.doesNotMatch(svg, /<d>|<v>|<a>/);
    assert.match(svg, /data-column="&lt;v&gt;"/);
    assert.match(svg, /<title>&lt;a&gt;: n 1<\/title>/);
    assert.equal(svg.match(/<polyline class="line"/g)?.length, 2, 'the NULL splits the line in two');
    assert.equal(scoreboardChartSvg(board(['d', 'note'], [['a', 'x']])), '');
    assert.equal(scoreboardChartSvg(board(['d', 'n'], [])), '');
  });
});
