// The "Deployments" child of a service: its last revisions with commit, age, traffic and readiness.
//
// API (no vscode import):
//
//   readDeploymentHistory({ service, commitLabel, reader, git, limit }) → Promise<DeploymentHistory>
//       { kind: 'ok', entries } newest first, or { kind: 'error', message } (never rejects)
//   formatAge(createTime, now)                  → "just now" | "5m ago" | "3h ago" | "2d ago" | null
//   historyLine(entry, now)                     → { label, description }: one tree row's text
//   canTakeAllTraffic(entry)                    → whether Route All Traffic Here applies to the row
//
// Revisions come from CloudRunReader.listRevisions; traffic from lookupService (what is actually
// served, LATEST resolved); commits from resolving each commit label in the local repository, so
// the subject appears only for commits this clone has. Labels are shown, never executed.
import type { CloudRunReader, ServiceRef } from '../google/cloudrun';
import { relativeTime } from '../verdicts/format';
import type { GitRepository } from '../git/repository';
import type { RevisionFacts } from '../model';
import { labelOf, short } from '../verdicts/verdict';
import { errorText } from '../text/messageText';

export interface DeploymentEntry {
  revision: string;
  /** ISO 8601, or null when the API did not say. */
  createTime: string | null;
  /** The raw commit label, or null when the revision has none. */
  commitLabel: string | null;
  /** The full local SHA the label resolves to, or null. */
  commit: string | null;
  /** The commit's subject when it is local. */
  subject: string | null;
  /** Percent of traffic it serves now; 0 when none (or when traffic could not be read, see trafficKnown). */
  percent: number;
  trafficKnown: boolean;
  ready: boolean;
  failed: boolean;
  /** The failure message (API text: display only). */
  readyMessage: string | null;
  image: string | null;
}

export type DeploymentHistory = { kind: 'ok'; entries: DeploymentEntry[] } | { kind: 'error'; message: string };

export interface HistoryOptions {
  service: ServiceRef;
  commitLabel: string;
  reader: CloudRunReader;
  git: GitRepository;
  /** How many revisions, newest first. */
  limit: number;
}

export async function readDeploymentHistory(options: HistoryOptions): Promise<DeploymentHistory> {
  const { reader, git } = options;
  if (!reader.listRevisions) return { kind: 'error', message: 'this Cloud Run reader cannot list revisions' };
  let revisions: RevisionFacts[];
  try {
    const [listed, lookup] = await Promise.all([reader.listRevisions(options.service, options.limit), reader.lookupService(options.service)]);
    revisions = listed;
    const percents = new Map<string, number>();
    if (lookup.kind === 'found') for (const s of lookup.facts.serving) percents.set(s.revision, s.percent);
    const labels = revisions.flatMap((r) => labelOf(r, options.commitLabel) ?? []);
    const resolved = await git.resolveLabels(labels);
    const shas = [...new Set([...resolved.values()].flatMap((r) => (r.kind === 'found' ? [r.sha] : [])))];
    const commits = await git.describeCommits(shas);
    const entries = revisions.map((r): DeploymentEntry => {
      const label = labelOf(r, options.commitLabel);
      const resolution = label ? resolved.get(label) : undefined;
      const commit = resolution?.kind === 'found' ? resolution.sha : null;
      return {
        revision: r.name,
        createTime: r.createTime,
        commitLabel: label,
        commit,
        subject: commit ? (commits.get(commit)?.subject ?? null) : null,
        percent: percents.get(r.name) ?? 0,
        trafficKnown: lookup.kind === 'found',
        ready: r.ready,
        failed: r.failed,
        readyMessage: r.readyMessage,
        image: r.image,
      };
    });
    return { kind: 'ok', entries };
  } catch (err) {
    return { kind: 'error', message: errorText(err) };
  }
}

/** Whether a revision in the history can take all traffic (a rollback to it): ready, and not serving all of it already. */
export function canTakeAllTraffic(entry: Pick<DeploymentEntry, 'ready' | 'percent' | 'trafficKnown'>): boolean {
  return entry.ready && !(entry.trafficKnown && entry.percent === 100);
}

export function formatAge(createTime: string | null, now: number): string | null {
  if (!createTime) return null;
  const ms = now - Date.parse(createTime);
  if (!Number.isFinite(ms)) return null;
  // A history row says "just now" rather than counting seconds; beyond that, the age reads as everywhere else.
  return ms < 60_000 ? 'just now' : relativeTime(createTime, new Date(now));
}

/** A tree row: label `1a2b3c4d fix merge` (or the revision when unlabeled), description with age, traffic and state. */
export function historyLine(entry: DeploymentEntry, now: number): { label: string; description: string } {
  const commitText = entry.commit ? short(entry.commit) : entry.commitLabel ? JSON.stringify(entry.commitLabel) : 'unlabeled';
  const label = `${commitText}${entry.subject ? ` ${entry.subject.replace(/\s+/g, ' ').trim()}` : ''}`;
  const state = entry.failed ? 'failed' : entry.ready ? 'ready' : 'not ready';
  const traffic = entry.trafficKnown ? `${entry.percent}%` : 'traffic unknown';
  const age = formatAge(entry.createTime, now);
  return { label, description: [entry.revision, age, traffic, state].filter(Boolean).join(' · ') };
}
