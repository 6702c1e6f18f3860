// The floor under any check built on @google-cloud/run: a Node process that loads the SDK bundle
// we ship (dist/sdk-run.js, plainly, without our code cache or HTTP transport), builds one
// ServicesClient for the emulator and reads the services as a check reads them: one
// `listServices` of the region, first page only, of the page size a check asks for
// (src/core/google/regionListing.ts), and a get for each service the page does not hold. With `--gets`,
// one `getService` per service in parallel instead (what a check did before it listed regions).
// Nothing else: no config, no git, no verdicts, no output. check.bench.ts runs it beside the CLI.
// Prints when the SDK was loaded, the client built and the last answer came (ms since the process started).
// Usage: node bench/sdk-alone.cjs [--gets] <emulator url> <project> <region> <service>...
'use strict';
const path = require('node:path');
const args = process.argv.slice(2);
const gets = args[0] === '--gets';
const [url, project, region, ...services] = gets ? args.slice(1) : args;
const mark = (phase) => process.stderr.write(`timing ${phase} ${Math.round(performance.now())} ms\n`);
const sdk = require(path.join(__dirname, '..', 'dist', 'sdk-run.js'));
mark('loaded');
const target = new URL(url);
const client = new sdk.ServicesClient({
  apiEndpoint: target.hostname,
  port: Number(target.port),
  protocol: 'http',
  fallback: true,
  authClient: new sdk.PassThroughClient(),
});
mark('client');
const nameOf = (service) => `projects/${project}/locations/${region}/services/${service}`;
const getEach = (names) => Promise.all(names.map((name) => client.getService({ name: nameOf(name) })));
// The page size a check asks for (LIST_PAGE_MAX in src/core/google/regionListing.ts).
const pageSize = 500;
const read = gets
  ? getEach(services)
  : client.listServices({ parent: `projects/${project}/locations/${region}`, pageSize }, { autoPaginate: false }).then(([listed]) => {
      const found = new Set(listed.map((service) => service.name.split('/').pop()));
      return getEach(services.filter((service) => !found.has(service)));
    });
read.then(
  () => mark('answered'),
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  },
);
