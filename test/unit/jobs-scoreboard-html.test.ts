// The scoreboard webview's page: a static table whose every text is escaped, under a policy that allows no script.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreboardHtml } from '../../src/extension/jobs/scoreboardHtml';

describe('scoreboard page', () => {
  it('escapes column names, cells and titles, and allows no script', () => {
    const html = scoreboardHtml({
      title: 'Scoreboard: <job>',
      subtitle: '2026-01-24 to 2026-01-25 & more',
      table: { columns: ['player', '<b>points</b>'], rows: [['<img src=x onerror=alert(1)>', 22], ["o'neil \"x\"", null]] },
    });
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">/);
    assert.doesNotMatch(html, /<script|<img|<b>/);
    assert.match(html, /<h1>Scoreboard: &lt;job&gt;<\/h1>/);
    assert.match(html, /<th scope="col">player<\/th><th class="num" scope="col">&lt;b&gt;points&lt;\/b&gt;<\/th>/);
    assert.match(html, /<td>&lt;img src=x onerror=alert\(1\)&gt;<\/td><td class="num">22<\/td>/);
    assert.match(html, /<td>o&#39;neil &quot;x&quot;<\/td><td class="num">-<\/td>/);
    assert.match(html, /2026-01-24 to 2026-01-25 &amp; more/);
  });

  it('shows numbers with their column’s decimals, and says so when there are no rows', () => {
    const html = scoreboardHtml({ title: 't', subtitle: 's', table: { columns: ['accuracy'], rows: [[40], [58.9]] } });
    assert.match(html, /<td class="num">40\.0<\/td><\/tr>\n<tr><td class="num">58\.9<\/td>/);
    assert.match(scoreboardHtml({ title: 't', subtitle: 's', table: { columns: [], rows: [] } }), /<p class="empty">No rows for this range\.<\/p>/);
  });
});
