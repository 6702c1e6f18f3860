// Redeploy with proof (issue 4): the core the extension's deploy commands are built on. No vscode
// import anywhere under src/core/deploy. Each module documents its API at the top:
//   template.ts  deploy command templates → a safely quoted bash command line (and argv)
//   plan.ts      Deploy All Stale: which services, upstream first, the scheduler
//   confirm.ts   the confirmation's content, needsConfirmation
//   prepare.ts   reads git for the confirmation; selects the deploy command
//   runner.ts    runDeploy (execute → verify), DeployQueue, deployAll, logLine
//   history.ts   the "Deployments" history rows
//   bash.ts      a DeployExecutor over `bash -c` (CLI, tests)
export * from './bash';
export * from './confirm';
export * from './history';
export * from './plan';
export * from './prepare';
export * from './runner';
export * from './template';
