import { COMMAND_IDS } from '../commandIds';
import { isRepoScoped } from '../tree/treeNode';
import { defineCommand } from './commandTypes';

/** From a repository's group row, that repository; otherwise every one (and a new search for configurations). */
export const refreshCommand = defineCommand({
  id: COMMAND_IDS.refresh,
  title: 'Refresh',
  run: (services, node?: unknown) => {
    const repo = isRepoScoped(node) ? services.repos.get(node.root) : undefined;
    return repo ? repo.refresh.request('manual') : services.repos.refreshAll('manual');
  },
});
