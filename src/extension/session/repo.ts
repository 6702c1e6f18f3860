// One repository with a configuration, as views and commands see it: its session and what acts on
// it (refresh, deploys, data jobs), each its own. The composition root builds them; the
// SessionRegistry keeps one per repository root.
import type { DeployService } from '../deploy/deployController';
import type { DataJobs } from '../jobs/dataJobs';
import type { DriftSettings } from '../platform/settingsDefaults';
import type { DriftSession } from './driftSession';
import type { RefreshReason } from './refreshScheduler';
import type { RegisteredRepo } from './sessionRegistry';

export interface RepoRefresh {
  /** Resolves once a refresh of this repository that started after the call has finished. */
  request(reason: RefreshReason): Promise<void>;
  applySettings(settings: DriftSettings): void;
}

export interface Repo extends RegisteredRepo {
  readonly session: DriftSession;
  readonly refresh: RepoRefresh;
  readonly deploys: DeployService;
  readonly jobs: DataJobs;
}

