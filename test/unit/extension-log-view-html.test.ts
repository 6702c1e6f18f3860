// The log view's page: a content security policy that loads nothing from outside the extension and runs only the
// script carrying the page's nonce; a hostile title stays text; every element logs.js looks up is on the page.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { logViewHtml, newNonce, type LogViewPage } from '../../src/extension/logs/logViewHtml';

const PAGE: LogViewPage = {
  title: 'Logs: api',
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/logs/logs.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/logs/logs.css',
  nonce: 'bm9uY2Utb2YtdGhpcy1wYWdl',
};

describe('log view page', () => {
  it('allows only its own stylesheet and fonts, and only the script with its nonce', () => {
    const html = logViewHtml(PAGE);
    const policies = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)].map((m) => m[1]);
    assert.deepEqual(policies, [`default-src 'none'; style-src ${PAGE.cspSource}; font-src ${PAGE.cspSource}; script-src 'nonce-${PAGE.nonce}'`]);
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.deepEqual(
      scripts.map((m) => [m[0].match(/\bnonce="([^"]*)"/)?.[1], m[0].match(/\bsrc="([^"]*)"/)?.[1], m[1]]),
      [[PAGE.nonce, PAGE.scriptUri, '']],
      'one script, from the extension, with the nonce, nothing inline',
    );
    assert.doesNotMatch(html, /\son[a-z]+=|\sstyle=|<iframe|<img|<object|<embed|<base/i, 'no inline handlers, inline styles or embedded content');
    const urls = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    assert.ok(urls.every((u) => u.startsWith(`${PAGE.cspSource}/`)), `only the extension's own files: ${urls.join(', ')}`);
  });

  it('keeps a hostile title as text', () => {
    const html = logViewHtml({ ...PAGE, title: `Logs: api/</title><script>alert("x")</script><img src=x onerror='y'>&` });
    assert.match(html, /<title>Logs: api\/&lt;\/title&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;<\/title>/);
    assert.equal(html.match(/<script/g)?.length, 1);
  });

  it('gives each page a fresh nonce of 128 random bits', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => newNonce()));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) assert.equal(Buffer.from(nonce, 'base64').length, 16);
  });

  it('has every element the page script looks up by id', () => {
    const script = fs.readFileSync(path.join(__dirname, '../../media/logs/logs.js'), 'utf8');
    const ids = [...script.matchAll(/byId\('([^']+)'\)/g)].map((m) => m[1]!);
    assert.ok(ids.length > 10, `${ids.length} ids found in logs.js`);
    const html = logViewHtml(PAGE);
    assert.deepEqual(ids.filter((id) => !html.includes(`id="${id}"`)), []);
  });
});
