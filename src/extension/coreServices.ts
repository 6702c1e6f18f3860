// The real core behind DriftSession's CoreServices. Importing core/cloudrun is fine at activation:
// it loads the Google SDK bundle (dist/sdk-run.js) only on a reader's first call.
import { checkServices } from '../core/check';
import { createCloudRunReader } from '../core/cloudrun';
import { findConfigFile, loadConfig } from '../core/config';
import { GitRepository } from '../core/git';
import type { CoreServices } from './driftSession';

export function createCoreServices(): CoreServices {
  return {
    findConfigFile,
    loadConfig,
    // Trust does not change how git is opened today: core runs every git call with overrides that
    // disable repository-configured programs (fsmonitor, external diff, textconv) in all workspaces.
    // The flag stays in the signature so a stricter untrusted mode needs a change here only.
    openRepository: (root, _trusted) => GitRepository.open(root),
    createReader: (endpoints) => createCloudRunReader(endpoints),
    checkServices: (config, deps, options) => checkServices(config, deps, options),
  };
}
