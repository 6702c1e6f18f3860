// The floor under any check built on @google-cloud/run: a Node process that loads the SDK bundle
// we ship (dist/sdk-run.js, plainly, without our code cache or HTTP transport), builds one
// ServicesClient for the emulator and reads the services in parallel. Nothing else: no config,
// no git, no verdicts, no output. check.bench.ts runs it beside the CLI.
// Usage: node bench/sdk-alone.cjs <emulator url> <project> <region> <service>...
'use strict';
const path = require('node:path');
const sdk = require(path.join(__dirname, '..', 'dist', 'sdk-run.js'));
const [url, project, region, ...services] = process.argv.slice(2);
const target = new URL(url);
const client = new sdk.ServicesClient({
  apiEndpoint: target.hostname,
  port: Number(target.port),
  protocol: 'http',
  fallback: true,
  authClient: new sdk.PassThroughClient(),
});
Promise.all(services.map((name) => client.getService({ name: `projects/${project}/locations/${region}/services/${name}` }))).then(
  () => {
    process.stderr.write(`timing answered ${Math.round(performance.now())} ms\n`);
  },
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  },
);
