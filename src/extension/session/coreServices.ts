// The real core behind DriftSession's CoreServices. Importing core/cloudrun is fine at activation:
// it loads a Google SDK bundle (dist/sdk-*.js) only when a reader's call first needs one.
import { checkServices } from '../../core/check';
import { loadConfig } from '../../core/config';
import type { RemoteGit } from '../../core/git/helper/protocol';
import { GitRepository } from '../../core/git/repository';
import type { ApiClients } from './apiClients';
import type { CoreServices } from './driftSession';

/** `gitHelper`: where git starts (see GitHelper); none: in this process. */
export function createCoreServices(clients: Pick<ApiClients, 'cloudRun'>, gitHelper?: RemoteGit): CoreServices {
  return {
    loadConfig,
    // Every git call disables fsmonitor, external diff and textconv; untrusted, core also skips
    // `git status`, which could run clean filters the repository configures.
    openRepository: (root, trusted) => GitRepository.open(root, { trusted, background: true, helper: gitHelper }),
    createReader: (endpoints) => clients.cloudRun(endpoints),
    checkServices: (config, deps, options) => checkServices(config, deps, options),
  };
}
