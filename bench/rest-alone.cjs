// What reading the same services costs without any client library: one Node process, plain
// node:http GETs of the Cloud Run Admin API v2 resources in parallel, JSON.parse of each answer.
// Not a reader we ship (no auth, retries or error mapping): the bench prints it beside the SDK
// alone to show how much of a check's time the SDK's own work takes.
// Usage: node bench/rest-alone.cjs <emulator url> <project> <region> <service>...
'use strict';
const http = require('node:http');
const [url, project, region, ...services] = process.argv.slice(2);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
const read = (service) =>
  new Promise((resolve, reject) => {
    const path = `/v2/projects/${project}/locations/${region}/services/${service}`;
    http
      .get({ host: target.hostname, port: Number(target.port), path, agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
Promise.all(services.map(read)).then(
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
