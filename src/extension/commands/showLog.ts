import { COMMAND_IDS } from '../commandIds';
import { defineCommand } from './commandTypes';

export const showLogCommand = defineCommand({
  id: COMMAND_IDS.showLog,
  title: 'Show Log',
  run: (services) => services.logger.show(),
});
