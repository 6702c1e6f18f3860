// Command identifiers, kept free of `vscode` so tests can check them against package.json.

export const COMMAND_IDS = {
  refresh: 'cloudRunDrift.refresh',
  scaffoldConfig: 'cloudRunDrift.scaffoldConfig',
  openConfig: 'cloudRunDrift.openConfig',
  showCommitPatch: 'cloudRunDrift.showCommitPatch',
  copyDeployedCommit: 'cloudRunDrift.copyDeployedCommit',
  openInCloudConsole: 'cloudRunDrift.openInCloudConsole',
  showLog: 'cloudRunDrift.showLog',
  deploy: 'cloudRunDrift.deploy',
  deployWith: 'cloudRunDrift.deployWith',
  deployAllStale: 'cloudRunDrift.deployAllStale',
  routeAllTraffic: 'cloudRunDrift.routeAllTraffic',
  showDeployTerminal: 'cloudRunDrift.showDeployTerminal',
  openLogs: 'cloudRunDrift.openLogs',
  openRevisionLogs: 'cloudRunDrift.openRevisionLogs',
  openAllLogs: 'cloudRunDrift.openAllLogs',
  openDeployLogs: 'cloudRunDrift.openDeployLogs',
  runDataJob: 'cloudRunDrift.runDataJob',
  showScoreboard: 'cloudRunDrift.showScoreboard',
  signIn: 'cloudRunDrift.signIn',
  whereIsCommitLive: 'cloudRunDrift.whereIsCommitLive',
  whereIsLineLive: 'cloudRunDrift.whereIsLineLive',
  revealUnit: 'cloudRunDrift.revealUnit',
} as const;

export type CommandId = (typeof COMMAND_IDS)[keyof typeof COMMAND_IDS];

export const VIEW_CONTAINER_ID = 'cloudRunDrift';
export const SERVICES_VIEW_ID = 'cloudRunDrift.services';
export const JOBS_VIEW_ID = 'cloudRunDrift.jobs';
/** VS Code generates `<viewId>.focus` for every view; the status bar item uses it to reveal the tree. */
export const FOCUS_SERVICES_VIEW_COMMAND = `${SERVICES_VIEW_ID}.focus`;

/** The Getting Started walkthrough (`contributes.walkthroughs`) and its steps, in order. */
export const WALKTHROUGH_ID = 'gettingStarted';
export const WALKTHROUGH_STEP_IDS = ['signIn', 'createConfig', 'readVerdicts', 'deploy', 'rollBack', 'openLogs'] as const;
