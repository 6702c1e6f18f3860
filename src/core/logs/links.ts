// Links a log view offers from an entry: source files named in stack traces, the trace, the entry in the Cloud
// Console. Pure string work; no vscode, no file system (the view resolves paths against the workspace).
//
// API:
//   stackFrames(text): StackFrameRef[]
//       file:line references in Python, Node.js, Go and Java stack traces, with where they sit in `text` so a view
//       can turn exactly that span into a link. Library paths (site-packages, node_modules, /usr/lib, Go's
//       GOROOT, node:internal) are marked `library: true`. Frames are found line by line, in the first
//       MAX_MATCHED_LINE characters of each line, by patterns that run in time linear in what they scan:
//       a log line of any length costs a bounded amount of work.
//   repoPathCandidates(path): string[]
//       Suffixes of a container path to look up in the repository, longest first: "/app/predictions/x.py" →
//       ["app/predictions/x.py", "predictions/x.py", "x.py"]. Containers put code under /app, /workspace, /srv…;
//       the longest suffix that exists in the repository is the file (the view checks existence).
//   traceUrl(trace) / logEntryUrl(entry, project): Cloud Console links (null when there is nothing to link)

import type { LogEntry } from './entry';

export interface StackFrameRef {
  /** The path as the trace prints it (container path). */
  path: string;
  line: number;
  column?: number;
  /** Offset and length of the `path…line` span in the text, for making it a link. */
  index: number;
  length: number;
  /** A dependency or runtime file rather than the service's own code. */
  library: boolean;
}

/**
 * Longer lines are matched in their first MAX_MATCHED_LINE characters only. Stack frame lines are a few
 * hundred characters; a frame further into a longer line (a one-line JSON payload) is not linked.
 */
export const MAX_MATCHED_LINE = 4_000;

// Each pattern starts only where a frame can (after a fixed anchor) and scans a run of characters that no
// other start lies inside, so its work is linear in the line. In particular no `.*` before the anchor: the
// Node.js pattern once began `at (?:.*? \()?`, which rescanned the rest of the line from every "at ".
const PATTERNS: RegExp[] = [
  // Python: File "/app/x.py", line 212, in consolidate
  /File "(?<path>[^"]+)", line (?<line>\d+)/g,
  // Node.js: at fn (/app/src/x.js:12:5)  /  at /app/src/x.js:12:5  /  at file:///app/x.mjs:3:1
  // The location right after "at " or after " (" (the latter only on a line with an "at " before it).
  /(?:(?<= \()|(?<=at ))(?:file:\/\/)?(?<path>\/[^\s():]+):(?<line>\d+):(?<column>\d+)/g,
  // Go: \t/app/main.go:42 +0x1d
  /(?:^|\s)(?<path>\/[^\s:]+\.go):(?<line>\d+)(?: \+0x[0-9a-f]+)?/g,
  // Java: at com.example.Foo.bar(Foo.java:42)
  /\((?<path>[A-Za-z0-9_$]+\.(?:java|kt|scala)):(?<line>\d+)\)/g,
];
const NODE = PATTERNS[1]!;

const LIBRARY = /(site-packages|dist-packages|node_modules|^\/usr\/(local\/)?lib\/|^\/usr\/local\/go\/|^node:|\/internal\/)/;

export function stackFrames(text: string): StackFrameRef[] {
  const frames: StackFrameRef[] = [];
  for (let start = 0; start <= text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    framesInLine(text.slice(start, Math.min(end, start + MAX_MATCHED_LINE)), start, frames);
    start = end + 1;
  }
  return frames;
}

/** Appends the frames in `line` (which starts at `offset` in the text), in order of position. */
function framesInLine(line: string, offset: number, frames: StackFrameRef[]): void {
  const found: StackFrameRef[] = [];
  const taken = new Set<number>();
  const firstAt = line.indexOf('at ');
  for (const pattern of PATTERNS) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
      // Node.js's "fn (/app/x.js:1:2)" form is a frame only after an "at ".
      if (pattern === NODE && line[match.index - 1] === '(' && (firstAt < 0 || firstAt + 3 > match.index - 2)) continue;
      const groups = match.groups!;
      const path = groups['path']!;
      const index = match.index + match[0].indexOf(path);
      if (taken.has(index)) continue;
      taken.add(index);
      const lineText = groups['line']!;
      const end = match.index + match[0].indexOf(lineText, match[0].indexOf(path) + path.length) + lineText.length;
      const frame: StackFrameRef = { path, line: Number(lineText), index: offset + index, length: end - index, library: LIBRARY.test(path) };
      if (groups['column']) frame.column = Number(groups['column']);
      found.push(frame);
    }
  }
  frames.push(...found.sort((a, b) => a.index - b.index));
}

export function repoPathCandidates(path: string): string[] {
  const segments = path.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
  return segments.map((_, i) => segments.slice(i).join('/'));
}

/** "projects/p/traces/abc" → the Cloud Trace page for it. */
export function traceUrl(trace: string | undefined): string | null {
  const match = /^projects\/([^/]+)\/traces\/([^/]+)$/.exec(trace ?? '');
  if (!match) return null;
  return `https://console.cloud.google.com/traces/list?project=${encodeURIComponent(match[1]!)}&tid=${encodeURIComponent(match[2]!)}`;
}

/** The entry in Logs Explorer: its insertId at its timestamp. */
export function logEntryUrl(entry: LogEntry, project: string): string {
  const query = `insertId="${entry.insertId.replace(/["\\]/g, '\\$&')}"\ntimestamp="${entry.timestamp}"`;
  return `https://console.cloud.google.com/logs/query;query=${encodeURIComponent(query)};cursorTimestamp=${entry.timestamp}?project=${encodeURIComponent(project)}`;
}
