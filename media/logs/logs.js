// The log view's webview. Every value from a log entry (and from the config's filter names) is inserted with
// textContent (never innerHTML): log text is untrusted. The DOM keeps at most MAX_ROWS rows; the extension host holds
// the full buffer. Rows come in slices of a few hundred (a burst is several messages), so drawing one is a short task.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const MAX_ROWS = 3000;
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const rowsEl = byId('rows');
  const statusEl = byId('status');
  const noteEl = byId('note');
  const liveEl = /** @type {HTMLButtonElement} */ (byId('live'));
  const searchEl = /** @type {HTMLInputElement} */ (byId('search'));
  const pauseEl = /** @type {HTMLButtonElement} */ (byId('pause'));
  const stopEl = /** @type {HTMLButtonElement} */ (byId('stop'));
  const histogramEl = byId('histogram');
  const captionEl = byId('histogram-caption');
  const controlsEl = /** @type {HTMLFormElement} */ (byId('controls'));
  const presetEl = /** @type {HTMLSelectElement} */ (byId('preset'));
  const severityEl = /** @type {HTMLSelectElement} */ (byId('severity'));
  const textEl = /** @type {HTMLInputElement} */ (byId('text'));
  const rawEl = /** @type {HTMLInputElement} */ (byId('raw'));
  const windowEl = /** @type {HTMLSelectElement} */ (byId('window'));
  const sinceEl = /** @type {HTMLInputElement} */ (byId('since'));
  const queryErrorEl = byId('query-error');
  let paused = false;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // Rows

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
    div.dataset.seq = String(row.seq);
    div.dataset.time = String(Date.parse(row.timestamp));
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

  // Following: the view scrolls to new rows only while the reader is at the bottom. Reading the layout on every
  // append would force a layout per slice, so the state changes only on the reader's own scrolling.
  let following = true;
  let autoScrollTop = -1;
  let scrollQueued = false;

  function atBottom() {
    return rowsEl.scrollTop + rowsEl.clientHeight >= rowsEl.scrollHeight - 24;
  }

  rowsEl.addEventListener('scroll', () => {
    // Our own scroll to the bottom says nothing about the reader.
    if (Math.abs(rowsEl.scrollTop - autoScrollTop) < 2) return;
    following = atBottom();
  });

  /** Once per frame at most: the frame lays the rows out anyway. */
  function scrollToBottomSoon() {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      if (!following) return;
      rowsEl.scrollTop = rowsEl.scrollHeight;
      autoScrollTop = rowsEl.scrollTop;
    });
  }

  /** After a reset with focusSeq: the row to show once drawn. */
  let pendingFocus = null;

  /** Draws one message's rows: the extension sends them in slices of a few hundred, so each is a short task. */
  function append(rows, skipped) {
    const frag = document.createDocumentFragment();
    if (skipped > 0 && rowsEl.childElementCount > 0) {
      frag.appendChild(el('div', 'skipped', `… ${skipped} entries not shown (more than ${MAX_ROWS} arrived at once; search and export include them)`));
    }
    for (const row of rows) frag.appendChild(renderRow(row));
    rowsEl.appendChild(frag);
    trim();
    if (pendingFocus !== null) showRow(pendingFocus);
    if (following) scrollToBottomSoon();
  }

  /** Drops the oldest rows beyond MAX_ROWS, in one operation. */
  function trim() {
    const excess = rowsEl.childElementCount - MAX_ROWS;
    if (excess <= 0) return;
    const range = document.createRange();
    range.setStartBefore(/** @type {Node} */ (rowsEl.firstChild));
    range.setEndBefore(rowsEl.children[excess]);
    range.deleteContents();
  }

  function reset(rows, note, focusSeq) {
    rowsEl.textContent = '';
    noteEl.hidden = note === null;
    noteEl.textContent = note === null ? '' : note;
    pendingFocus = typeof focusSeq === 'number' ? focusSeq : null;
    following = pendingFocus === null;
    append(rows, 0);
  }

  /** Scrolls the row into view and marks it; the reader is looking at it, so new rows stop pulling the view down. */
  function showRow(seq) {
    pendingFocus = null;
    let target = null;
    for (const row of rowsEl.children) {
      if (row instanceof HTMLElement && row.dataset.seq !== undefined && Number(row.dataset.seq) >= seq) {
        target = row;
        break;
      }
    }
    if (!target) return;
    following = false;
    for (const old of rowsEl.querySelectorAll('.row.focus')) old.classList.remove('focus');
    target.classList.add('focus');
    target.scrollIntoView({ block: 'start' });
  }

  // ---------------------------------------------------------------------------------------------
  // Histogram: one bar per bucket, its segments the severity bands (stacked, errors on top).

  const BANDS = ['debug', 'info', 'warning', 'error'];
  const BAND_NAMES = ['debug/default', 'info/notice', 'warning', 'error and above'];

  function isoTime(ms) {
    return new Date(ms).toISOString().replace('.000Z', 'Z');
  }

  /** 30000 → "30 s", 600000 → "10 min", 7200000 → "2 h". */
  function duration(ms) {
    if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
    if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
    if (ms % 60_000 === 0) return `${ms / 60_000} min`;
    return `${ms / 1000} s`;
  }

  function drawHistogram(histogram) {
    histogramEl.textContent = '';
    const end = histogram.startMs + histogram.counts.length * histogram.bucketMs;
    captionEl.textContent = `${isoTime(histogram.startMs)} to ${isoTime(end)}, ${duration(histogram.bucketMs)} per bar (the entries held)`;
    let max = 1;
    for (const counts of histogram.counts) max = Math.max(max, counts[0] + counts[1] + counts[2] + counts[3]);
    histogram.counts.forEach((counts, i) => {
      const start = histogram.startMs + i * histogram.bucketMs;
      const end = start + histogram.bucketMs;
      const total = counts[0] + counts[1] + counts[2] + counts[3];
      const bar = el('div', total > 0 ? 'bucket' : 'bucket empty');
      bar.dataset.start = String(start);
      bar.dataset.end = String(end);
      bar.dataset.total = String(total);
      const detail = counts.map((n, band) => (n > 0 ? `${n} ${BAND_NAMES[band]}` : '')).filter(Boolean).join(', ');
      bar.title = `${isoTime(start)} – ${isoTime(end)}: ${total} entries${detail ? ` (${detail})` : ''}`;
      bar.setAttribute('role', 'button');
      bar.setAttribute('aria-label', bar.title);
      bar.tabIndex = total > 0 ? 0 : -1;
      for (let band = BANDS.length - 1; band >= 0; band--) {
        if (counts[band] === 0) continue;
        const segment = el('div', `segment band-${BANDS[band]}`);
        // CSSOM, not a style attribute: the page's CSP allows no inline styles.
        segment.style.height = `${(counts[band] / max) * 100}%`;
        bar.appendChild(segment);
      }
      bar.addEventListener('click', () => jumpTo(start));
      bar.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          jumpTo(start);
        }
      });
      histogramEl.appendChild(bar);
    });
  }

  /** The first entry at or after `start`: among the rows drawn when they reach back that far, else from the host. */
  function jumpTo(start) {
    const rows = [...rowsEl.children].filter((row) => row instanceof HTMLElement && row.dataset.time !== undefined);
    const searching = searchEl.value.trim() !== '';
    const first = rows[0];
    if (first instanceof HTMLElement && (searching || Number(first.dataset.time) <= start)) {
      const target = rows.find((row) => row instanceof HTMLElement && Number(row.dataset.time) >= start) ?? rows[rows.length - 1];
      if (target instanceof HTMLElement) showRow(Number(target.dataset.seq));
      return;
    }
    if (!searching) vscode.postMessage({ type: 'jump', at: start });
  }

  // ---------------------------------------------------------------------------------------------
  // Controls: which entries and how far back. Any change restarts the stream in the extension.

  function option(value, label, title) {
    const node = el('option', undefined, label);
    node.value = value;
    if (title) node.title = title;
    return node;
  }

  function fillControls(controls) {
    presetEl.replaceChildren(option('', 'All entries'), ...controls.presets.map((p) => option(p.id, p.label, p.query)));
    severityEl.replaceChildren(option('', 'Any'), ...controls.severities.map((s) => option(s, `${s} and above`)));
    windowEl.replaceChildren(...controls.windows.map((w) => option(w.value, w.label)), option('custom', 'Custom start…'));
  }

  function showQuery(query) {
    presetEl.value = query.preset;
    severityEl.value = query.severity;
    textEl.value = query.text;
    rawEl.value = query.raw;
    const preset = [...windowEl.options].some((o) => o.value === query.window && o.value !== 'custom');
    windowEl.value = preset ? query.window : 'custom';
    sinceEl.hidden = preset;
    sinceEl.value = preset ? '' : query.window;
    queryErrorEl.hidden = true;
    queryErrorEl.textContent = '';
  }

  function sendQuery() {
    const custom = windowEl.value === 'custom';
    sinceEl.hidden = !custom;
    if (custom && sinceEl.value.trim() === '') {
      sinceEl.focus();
      return;
    }
    vscode.postMessage({
      type: 'query',
      query: { preset: presetEl.value, severity: severityEl.value, text: textEl.value, raw: rawEl.value, window: custom ? sinceEl.value : windowEl.value },
    });
  }

  for (const select of [presetEl, severityEl, windowEl]) select.addEventListener('change', sendQuery);
  for (const input of [textEl, rawEl, sinceEl]) input.addEventListener('change', sendQuery);
  controlsEl.addEventListener('submit', (event) => {
    event.preventDefault();
    sendQuery();
  });

  // ---------------------------------------------------------------------------------------------
  // Messages from the extension

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'append':
        append(message.rows, message.skipped);
        break;
      case 'reset':
        reset(message.rows, message.note, message.focusSeq);
        break;
      case 'status':
        statusEl.textContent = message.line;
        paused = message.paused;
        pauseEl.textContent = paused ? 'Resume' : 'Pause';
        stopEl.disabled = message.stopped;
        stopEl.textContent = message.stopped ? 'Stopped' : 'Stop';
        liveEl.hidden = !message.browsing;
        break;
      case 'controls':
        fillControls(message.controls);
        break;
      case 'query':
        showQuery(message.query);
        break;
      case 'queryError':
        queryErrorEl.textContent = message.message;
        queryErrorEl.hidden = false;
        break;
      case 'histogram':
        drawHistogram(message.histogram);
        break;
    }
  });

  let searchTimer;
  searchEl.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => vscode.postMessage({ type: 'search', text: searchEl.value }), 200);
  });
  pauseEl.addEventListener('click', () => vscode.postMessage({ type: paused ? 'resume' : 'pause' }));
  byId('clear').addEventListener('click', () => vscode.postMessage({ type: 'clear' }));
  stopEl.addEventListener('click', () => vscode.postMessage({ type: 'stop' }));
  liveEl.addEventListener('click', () => vscode.postMessage({ type: 'live' }));
  byId('export-log').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'log' }));
  byId('export-jsonl').addEventListener('click', () => vscode.postMessage({ type: 'export', format: 'jsonl' }));
  vscode.postMessage({ type: 'ready' });
})();
