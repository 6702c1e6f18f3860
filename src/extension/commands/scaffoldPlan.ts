// Decisions behind "create cloud-run-drift.json from Cloud Run": input validation, guessed paths
// and commit label, and the file text. No `vscode` import, so it is unit-tested directly.
import type { Dirent } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import schema from '../../../schema/cloud-run-drift.schema.json';
import type { ListedService } from '../../core/google/cloudrun';
import { DEFAULT_COMMIT_LABEL } from '../../core/config';
import type { UnitKind } from '../../core/model';

// The shipped schema is the single source of what a valid project and region look like.
const PROJECT_PATTERN = new RegExp(schema.definitions.projectId.pattern);
const REGION_PATTERN = new RegExp(schema.definitions.region.pattern);

/** An error message for the input box, or null when the value is acceptable. */
export function validateProjectId(value: string): string | null {
  if (value.trim() === '') return 'Enter a Google Cloud project ID';
  return PROJECT_PATTERN.test(value.trim()) ? null : 'Expected a project ID such as "my-project-123" (lowercase letters, digits and hyphens)';
}

export function validateRegion(value: string): string | null {
  if (value.trim() === '') return 'Enter a Cloud Run region';
  return REGION_PATTERN.test(value.trim()) ? null : 'Expected a region such as "us-west2"';
}

const HEX_SHA = /^[0-9a-f]{7,40}$/;

/**
 * The label key the team's deploys put commits in: the default when any service uses it, otherwise
 * the key most often holding a hex SHA. Null means "keep the default" (nothing better was seen).
 */
export function guessCommitLabel(services: readonly ListedService[]): string | null {
  const counts = new Map<string, number>();
  for (const service of services) {
    for (const [key, value] of Object.entries(service.labels)) {
      if (HEX_SHA.test(value)) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size === 0 || counts.has(DEFAULT_COMMIT_LABEL)) return null;
  const [best] = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return best ? best[0] : null;
}

function nameVariants(service: string): Set<string> {
  const variants = new Set([service, service.replace(/-/g, '_')]);
  const stripped = service.replace(/-(service|svc|server|app)$/, '');
  if (stripped !== service && stripped.length > 0) {
    variants.add(stripped);
    variants.add(stripped.replace(/-/g, '_'));
  }
  return variants;
}

/**
 * A directory whose name matches the service (`prediction-worker`, `prediction_worker`,
 * `api` for `api-service`), shallowest first. Empty when nothing matches: the service then
 * counts commits anywhere in the repository until the user sets its paths.
 */
export function guessServicePaths(service: string, directories: readonly string[]): string[] {
  const variants = nameVariants(service);
  const matches = directories.filter((d) => variants.has(d.split('/').pop() ?? ''));
  if (matches.length === 0) return [];
  const depth = (d: string): number => d.split('/').length;
  matches.sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  return [matches[0]!];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', 'build', 'out', 'target', 'vendor', '__pycache__', 'venv']);

/** Repository-relative directories up to `maxDepth` levels, skipping hidden and dependency folders. */
export async function listRepositoryDirectories(root: string, maxDepth = 3): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    if (depth > maxDepth) return;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(root, relative), { withFileTypes: true });
    } catch {
      return;
    }
    const children = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED_DIRECTORIES.has(e.name));
    await Promise.all(
      children.map(async (entry) => {
        const child = relative ? `${relative}/${entry.name}` : entry.name;
        found.push(child);
        await walk(child, depth + 1);
      }),
    );
  };
  await walk('', 1);
  return found.sort();
}

/** One unit Cloud Run lists: a service, a function or a job, with its labels. */
export interface ListedUnit extends ListedService {
  kind: UnitKind;
}

/** The label Google sets on the Cloud Run service a gen2 function runs on. */
const MANAGED_BY_LABEL = 'goog-managed-by';

/**
 * Every unit of a project and region, by name, each with its kind. A function's own Cloud Run
 * service (labelled goog-managed-by=cloudfunctions) is the function, listed once, as a function.
 */
export function scaffoldUnits(services: readonly ListedService[], functions: readonly ListedService[], jobs: readonly ListedService[]): ListedUnit[] {
  const functionsOwn = (s: ListedService): boolean => s.labels[MANAGED_BY_LABEL] === 'cloudfunctions';
  return [
    ...services.filter((s) => !functionsOwn(s)).map((s) => ({ ...s, kind: 'service' as const })),
    ...functions.map((f) => ({ ...f, kind: 'function' as const })),
    ...jobs.map((j) => ({ ...j, kind: 'job' as const })),
  ].sort((a, b) => a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
}

export interface ScaffoldInput {
  project: string;
  region: string;
  commitLabel: string | null;
  /** `kind` absent or "service": a Cloud Run service (the file leaves the default unsaid). */
  services: { name: string; kind?: UnitKind; paths: string[] }[];
  /** The endpoint the units were listed from, when not Google's (an emulator): Cloud Run's, and Cloud Functions' too. */
  runEndpoint: string | null;
}

/** The file text, formatted the way the README shows it, ending in a newline. */
export function buildScaffoldConfig(input: ScaffoldInput): string {
  const services: Record<string, { kind?: UnitKind; paths?: string[] }> = {};
  for (const service of [...input.services].sort((a, b) => a.name.localeCompare(b.name))) {
    const entry: { kind?: UnitKind; paths?: string[] } = {};
    if (service.kind && service.kind !== 'service') entry.kind = service.kind;
    if (service.paths.length > 0) entry.paths = service.paths;
    services[service.name] = entry;
  }
  const config: Record<string, unknown> = { project: input.project, region: input.region };
  if (input.commitLabel) config.commitLabel = input.commitLabel;
  config.services = services;
  // Verdicts must come from where the units were listed.
  if (input.runEndpoint) {
    config.endpoints = input.services.some((s) => s.kind === 'function') ? { run: input.runEndpoint, functions: input.runEndpoint } : { run: input.runEndpoint };
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}
