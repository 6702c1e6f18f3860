// The scoreboard view's script: the range picker's Refresh and the Export CSV button, sent to the
// extension, which reads the scoreboard and draws the page again. It shows nothing from the data itself.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const form = /** @type {HTMLFormElement} */ (document.getElementById('range'));
  const start = /** @type {HTMLInputElement} */ (document.getElementById('start'));
  const end = /** @type {HTMLInputElement} */ (document.getElementById('end'));
  const refresh = /** @type {HTMLButtonElement} */ (document.getElementById('refresh'));
  const exportButton = /** @type {HTMLButtonElement} */ (document.getElementById('export'));
  const busy = /** @type {HTMLElement} */ (document.getElementById('busy'));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh.disabled = true;
    busy.textContent = 'Reading…';
    vscode.postMessage({ type: 'refresh', start: start.value, end: end.value });
  });
  exportButton.addEventListener('click', () => {
    vscode.postMessage({ type: 'exportCsv' });
  });
})();
