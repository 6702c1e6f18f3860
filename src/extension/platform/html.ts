// Text placed in a webview page's HTML (a title, a table cell, an attribute value): escaped, so markup in a
// value stays text. No vscode import.
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
