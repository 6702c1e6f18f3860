// The editor's answer for the cursor line: `live in prediction-coordinator since 2h` in the status
// bar (and, when the setting asks, at the end of the line). It costs nothing noticeable: it waits
// for the cursor to rest, blames only that line (kept per file, line and document version), and
// answers from the verdicts already held (kept per commit): no Cloud Run request per cursor move.
import * as vscode from 'vscode';
import { whereStatusText } from '../../core/where/format';
import { COMMAND_IDS } from '../commandIds';
import { Disposable } from '../platform/disposable';
import type { Logger } from '../platform/logger';
import type { DriftSettings } from '../platform/settings';
import type { RepoList } from '../session/repoSessions';
import type { WhereService } from './whereService';
import { errorText } from '../../core/text/messageText';

/** How long the cursor rests before its line is blamed. */
export const WHERE_DEBOUNCE_MS = 300;

export class WhereLineStatus extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly annotation = this._register(
    vscode.window.createTextEditorDecorationType({ after: { margin: '0 0 0 3em', color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' } }),
  );
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by every update, so a slow answer for a line the cursor has left is dropped. */
  private generation = 0;
  private annotated: vscode.TextEditor | undefined;
  /** What the item says now ('' when hidden): for tests. */
  private shown = '';

  constructor(
    repos: RepoList,
    private readonly where: WhereService,
    private settings: DriftSettings,
    private readonly logger: Logger,
  ) {
    super();
    this.item = this._register(vscode.window.createStatusBarItem('cloudRunDrift.whereLine', vscode.StatusBarAlignment.Left, -2));
    this.item.name = 'Cloud Run Drift: Where Is This Line Live?';
    this.item.command = COMMAND_IDS.whereIsLineLive;
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.schedule()));
    this._register(vscode.workspace.onDidSaveTextDocument(() => this.schedule()));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule()));
    this._register(repos.onDidChange(() => this.schedule()));
    this._register({ dispose: () => clearTimeout(this.timer) });
    this.schedule();
  }

  /** The status bar text for the cursor line ('' when hidden). */
  get text(): string {
    return this.shown;
  }

  applySettings(settings: DriftSettings): void {
    this.settings = settings;
    this.schedule();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.generation++;
    this.timer = setTimeout(() => void this.update(), WHERE_DEBOUNCE_MS);
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const editor = vscode.window.activeTextEditor;
    const wanted = this.settings['where.statusBar'] || this.settings['where.lineAnnotation'];
    const document = editor?.document;
    const repo = document && document.uri.scheme === 'file' ? this.where.repoHolding(document.uri.fsPath) : undefined;
    // A file with unsaved changes: blame reads the saved file, whose lines may not be these.
    if (!wanted || !editor || !document || !repo || !repo.session.lastResult || document.isDirty) return this.clear();
    const line = editor.selection.active.line;
    try {
      const reply = await this.where.line(repo, document.uri.fsPath, line + 1, document.version);
      if (generation !== this.generation) return;
      const text = reply.answer ? whereStatusText(reply.answer, new Date()) : 'not committed: live nowhere';
      if (text === null) return this.clear();
      this.show(editor, line, text);
    } catch (err) {
      if (generation !== this.generation) return;
      this.logger.debug(`where for the cursor line: ${errorText(err)}`);
      this.clear();
    }
  }

  private show(editor: vscode.TextEditor, line: number, text: string): void {
    this.shown = text;
    if (this.settings['where.statusBar']) {
      this.item.text = `$(broadcast) ${text}`;
      this.item.tooltip = `The commit that last changed line ${line + 1}: ${text}. Click for every unit.`;
      this.item.show();
    } else {
      this.item.hide();
    }
    this.clearAnnotation();
    if (this.settings['where.lineAnnotation']) {
      const end = editor.document.lineAt(line).range.end;
      editor.setDecorations(this.annotation, [{ range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } }]);
      this.annotated = editor;
    }
  }

  private clear(): void {
    this.shown = '';
    this.item.hide();
    this.clearAnnotation();
  }

  private clearAnnotation(): void {
    this.annotated?.setDecorations(this.annotation, []);
    this.annotated = undefined;
  }
}
