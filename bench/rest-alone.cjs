// What reading the same services costs without any client library: one Node process, plain
// node:http requests to the Cloud Run Admin API v2 and JSON.parse of each answer, read as a check
// reads them: one list of the region (first page, the page size a check asks for) and a GET of each
// service it does not hold; with `--gets`, one GET per service in parallel. With `--fields a,b`,
// each request names those fields of a service (the `fields` system parameter), as a check's do.
// Not a reader we ship (no auth, retries or error mapping): the bench prints it beside the SDK
// alone to show how much of a check's time the SDK's own work takes.
// Usage: node bench/rest-alone.cjs [--gets] [--fields a,b] <emulator url> <project> <region> <service>...
'use strict';
const http = require('node:http');
const args = process.argv.slice(2);
let gets = false;
let fields = null;
while (args[0]?.startsWith('--')) {
  const flag = args.shift();
  if (flag === '--gets') gets = true;
  else if (flag === '--fields' && args.length > 0) fields = args.shift();
  else throw new Error(`rest-alone.cjs: ${flag === '--fields' ? '--fields needs a list of fields' : `unknown flag ${flag}`}`);
}
const [url, project, region, ...services] = args;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
const read = (path) =>
  new Promise((resolve, reject) => {
    http
      .get({ host: target.hostname, port: Number(target.port), path, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
const parent = `/v2/projects/${project}/locations/${region}/services`;
const getEach = (names) => Promise.all(names.map((service) => read(`${parent}/${service}${fields ? `?fields=${encodeURIComponent(fields)}` : ''}`)));
// The page size a check asks for (LIST_PAGE_MAX in src/core/google/regionListing.ts).
const pageSize = 500;
const all = gets
  ? getEach(services)
  : read(`${parent}?pageSize=${pageSize}${fields ? `&fields=${encodeURIComponent(`nextPageToken,services(${fields})`)}` : ''}`).then((page) => {
      const found = new Set((page.services ?? []).map((service) => service.name.split('/').pop()));
      return getEach(services.filter((service) => !found.has(service)));
    });
all.then(
  () => {
    process.stderr.write(`timing answered ${Math.round(performance.now())} ms\n`);
    agent.destroy();
  },
  (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
    agent.destroy();
  },
);
