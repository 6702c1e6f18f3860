// Text placed in a webview page's HTML (a title, a table cell, an attribute value): escaped, so markup in a
// value stays text. No vscode import.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The start of a webview page, through `<body>`: a strict content security policy (nothing by
 * default; styles, and fonts when asked, from the extension; scripts only with the nonce), the
 * stylesheet and the title. Every value escaped.
 */
export function webviewPageStart(page: { cspSource: string; nonce: string; styleUri: string; title: string; fonts?: boolean }): string {
  const source = escapeHtml(page.cspSource);
  const csp = [`default-src 'none'`, `style-src ${source}`, ...(page.fonts ? [`font-src ${source}`] : []), `script-src 'nonce-${escapeHtml(page.nonce)}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(page.styleUri)}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>`;
}
