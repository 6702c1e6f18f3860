// The log view's webview. Every value from a log entry is inserted with textContent (never innerHTML): log text
// is untrusted. The DOM keeps at most MAX_ROWS rows; the extension host holds the full buffer.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const MAX_ROWS = 3000;
  const rowsEl = /** @type {HTMLElement} */ (document.getElementById('rows'));
  const statusEl = /** @type {HTMLElement} */ (document.getElementById('status'));
  const noteEl = /** @type {HTMLElement} */ (document.getElementById('note'));
  const searchEl = /** @type {HTMLInputElement} */ (document.getElementById('search'));
  const pauseEl = /** @type {HTMLButtonElement} */ (document.getElementById('pause'));
  const stopEl = /** @type {HTMLButtonElement} */ (document.getElementById('stop'));
  let paused = false;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The text with the extension-resolved stack-trace spans as links; everything else plain text. */
  function textWithLinks(text, links) {
    const frag = document.createDocumentFragment();
    let at = 0;
    for (const link of links) {
      if (link.index < at) continue;
      frag.appendChild(document.createTextNode(text.slice(at, link.index)));
      const a = el('a', 'frame', text.slice(link.index, link.index + link.length));
      a.title = `${link.file}:${link.line}`;
      a.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'openFile', file: link.file, line: link.line });
      });
      frag.appendChild(a);
      at = link.index + link.length;
    }
    frag.appendChild(document.createTextNode(text.slice(at)));
    return frag;
  }

  function renderRow(row) {
    const div = el('div', 'row');
    div.appendChild(el('span', 'ts', row.timestamp));
    div.appendChild(el('span', `sev sev-${String(row.severity).replace(/[^A-Z]/g, '')}`, row.severity));
    if (row.revision) div.appendChild(el('span', 'rev', row.revision));
    if (row.request) div.appendChild(el('span', 'req', row.request));
    if (row.json !== undefined) {
      const details = el('details');
      const summary = el('summary');
      summary.appendChild(textWithLinks(row.text, row.links));
      details.appendChild(summary);
      details.appendChild(el('pre', undefined, row.json));
      div.appendChild(details);
    } else {
      div.appendChild(textWithLinks(row.text, row.links));
    }
    if (row.trace) div.appendChild(el('span', 'trace', row.trace));
    return div;
  }

  function atBottom() {
    return rowsEl.scrollTop + rowsEl.clientHeight >= rowsEl.scrollHeight - 24;
  }

  function append(rows, skipped) {
    const follow = atBottom();
    const frag = document.createDocumentFragment();
    if (skipped > 0 && rowsEl.childElementCount > 0) frag.appendChild(el('div', 'skipped', `… ${skipped} entries not shown (more than ${MAX_ROWS} arrived at once; search and export include them)`));
    for (const row of rows) frag.appendChild(renderRow(row));
    rowsEl.appendChild(frag);
    while (rowsEl.childElementCount > MAX_ROWS && rowsEl.firstChild) rowsEl.removeChild(rowsEl.firstChild);
    // Only follow new entries when the reader was already at the bottom: scrolling up to read must not be undone.
    if (follow) rowsEl.scrollTop = rowsEl.scrollHeight;
  }

  function reset(rows, note) {
    rowsEl.textContent = '';
    noteEl.hidden = note === null;
    noteEl.textContent = note === null ? '' : note;
    append(rows, 0);
    rowsEl.scrollTop = rowsEl.scrollHeight;
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'append') append(message.rows, message.skipped);
    else if (message.type === 'reset') reset(message.rows, message.note);
    else if (message.type === 'status') {
      statusEl.textContent = message.line;
      paused = message.paused;
      pauseEl.textContent = paused ? 'Resume' : 'Pause';
      stopEl.disabled = message.stopped;
      if (message.stopped) stopEl.textContent = 'Stopped';
    }
  });

  let searchTimer;
  searchEl.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => vscode.postMessage({ type: 'search', text: searchEl.value }), 200);
  });
  pauseEl.addEventListener('click', () => vscode.postMessage({ type: paused ? 'resume' : 'pause' }));
  document.getElementById('clear')?.addEventListener('click', () => vscode.postMessage({ type: 'clear' }));
  stopEl.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
  document.getElementById('export-log')?.addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'log' }));
  document.getElementById('export-jsonl')?.addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'jsonl' }));
  vscode.postMessage({ type: 'ready' });
})();
