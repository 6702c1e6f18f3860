// Preloaded into a CLI run by bench/history.ts (`node -r`): prints the process's own peak resident
// set, without the git processes it ran, as it exits.
process.on('exit', () => process.stderr.write(`node-peak-rss-kb ${process.resourceUsage().maxRSS}\n`));
