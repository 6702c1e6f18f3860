// No import cycles in src/, type-only imports included: each file's imports as TypeScript reads
// them (ts.preProcessFile), the relative ones resolved to files, and a depth-first search for a
// way back to a file on the current path.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** Relative imports of files that are not TypeScript (no cycle can run through them). */
const NOT_TYPESCRIPT = /\.(mjs|cjs|json)$/;

/**
 * The files of `files` that `file` imports or re-exports from, by relative path; `unresolved` gets
 * any other relative import within src/ (the emulator's demo imports test helpers, outside it).
 */
function importsOf(file: string, files: ReadonlySet<string>, unresolved: string[]): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .filter((imported) => imported.fileName.startsWith('.') && !NOT_TYPESCRIPT.test(imported.fileName))
    .flatMap((imported) => {
      const target = path.resolve(path.dirname(file), imported.fileName);
      if (path.relative(SRC, target).startsWith('..')) return [];
      const found = [`${target}.ts`, path.join(target, 'index.ts')].find((candidate) => files.has(candidate));
      if (!found) unresolved.push(`${path.relative(SRC, file)}: ${imported.fileName}`);
      return found ? [found] : [];
    });
}

/** Each cycle found, as the files around it (the first one again at its end), relative to src/. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('imports', () => {
  it('the search finds a cycle, type-only or not, and passes a tree', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    assert.deepEqual(importCycles(graph), [['a', 'b', 'c', 'a']]);
    assert.deepEqual(importCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
  });

  it('src/ has no import cycles', () => {
    const files = new Set(sourceFiles(SRC));
    const unresolved: string[] = [];
    const graph = new Map([...files].map((file) => [file, importsOf(file, files, unresolved)]));
    assert.ok(graph.size > 100 && [...graph.values()].some((imports) => imports.length > 0), 'the source files and their imports were read');
    // An import this search cannot follow would hide any cycle through it.
    assert.deepEqual(unresolved, [], 'every relative import of a TypeScript file resolves to one');
    const cycles = importCycles(graph).map((cycle) => cycle.map((file) => path.relative(SRC, file)).join(' → '));
    assert.deepEqual(cycles, []);
  });
});
