// What a "Where Is This Commit Live?" invocation names, from whatever VS Code passes: a commit row
// of our tree, a Source Control graph item (scm/historyItem/context: the source control, then the
// item), a Timeline item (timeline/item/context: the item, the file's URI, the source), or a SHA
// from a test or another command. No vscode import: tested directly.

export interface WhereInvocation {
  /** The commit-ish named, or undefined when the palette must ask for one. */
  commitish: string | undefined;
  /** The repository the invocation came from: our tree's root, or a path inside it (the file, the source control's root). */
  root: string | undefined;
  path: string | undefined;
}

const SHA = /^[0-9a-f]{7,64}$/i;

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/** A file-system path from a vscode.Uri-like value (`{ scheme: 'file', fsPath }`). */
function fsPathOf(value: unknown): string | undefined {
  const uri = record(value);
  if (!uri || uri.scheme !== 'file') return undefined;
  return typeof uri.fsPath === 'string' ? uri.fsPath : undefined;
}

/** A commit SHA carried by an argument: our commit rows' `sha`, a history item's or a timeline item's `id`, a git timeline item's `ref`. */
function shaOf(value: unknown): string | undefined {
  if (typeof value === 'string') return SHA.test(value) ? value : undefined;
  const item = record(value);
  if (!item) return undefined;
  for (const key of ['sha', 'id', 'ref', 'hash']) {
    const candidate = item[key];
    if (typeof candidate === 'string' && SHA.test(candidate)) return candidate;
  }
  return undefined;
}

export function whereInvocation(args: readonly unknown[]): WhereInvocation {
  let commitish: string | undefined;
  let root: string | undefined;
  let file: string | undefined;
  for (const arg of args) {
    commitish ??= shaOf(arg);
    const item = record(arg);
    if (item && typeof item.root === 'string') root ??= item.root;
    // A source control's root URI (the graph's first argument), or a timeline's file URI.
    file ??= fsPathOf(arg) ?? fsPathOf(item?.rootUri);
  }
  return { commitish, root, path: file };
}
