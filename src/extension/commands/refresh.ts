import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';

export const refreshCommand = defineCommand({
  id: COMMAND_IDS.refresh,
  title: 'Refresh',
  run: (services) => services.refresh.request('manual'),
});
