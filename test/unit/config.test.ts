import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, findConfigFile, loadConfig, MAX_NESTING, normalizePaths, parseConfig, type ServiceConfig } from '../../src/core/config';

const FILE = '/repo/cloud-run-drift.json';

function problemsOf(text: string): { jsonPath: string; message: string; line: number | null }[] {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.file, FILE);
    return err.problems;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('resolves defaults and per-service overrides', () => {
    const config = parseConfig(
      JSON.stringify({
        project: 'nba-props-platform',
        region: 'us-west2',
        services: {
          'prediction-worker': { paths: ['predictions/worker/', './shared'] },
          'prediction-coordinator': { paths: ['predictions/coordinator'], region: 'us-east1', project: 'other-project' },
          whole: {},
        },
        deploy: { command: './bin/deploy-service.sh ${service}' },
        endpoints: { run: 'http://127.0.0.1:8123' },
      }),
      FILE,
    );
    assert.equal(config.commitLabel, 'commit-sha');
    assert.equal(config.root, '/repo');
    assert.deepEqual(config.services.map((s) => s.name), ['prediction-worker', 'prediction-coordinator', 'whole']);
    assert.deepEqual(config.services[0]!.paths, ['predictions/worker', 'shared']);
    assert.equal(config.services[1]!.region, 'us-east1');
    assert.equal(config.services[1]!.project, 'other-project');
    assert.equal(config.services[0]!.region, 'us-west2');
    assert.deepEqual(config.services[2]!.paths, []);
    assert.deepEqual(config.deployCommands, [{ name: 'deploy', template: './bin/deploy-service.sh ${service}' }]);
    assert.equal(config.endpoints.run, 'http://127.0.0.1:8123');
  });

  it('names the line of invalid JSON', () => {
    const problems = problemsOf('{\n  "project": "abc-def",\n  "services": {\n    "a": {},\n  }\n}\n');
    assert.equal(problems[0]!.line, 5);
    assert.match(problems[0]!.message, /invalid JSON/);
  });

  it('rejects unknown keys with their JSON path, line and the keys expected', () => {
    const problems = problemsOf('{\n  "project": "abc-def",\n  "region": "us-west2",\n  "services": {\n    "svc": { "path": ["x"] }\n  }\n}');
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.jsonPath, '$.services.svc.path');
    assert.equal(problems[0]!.line, 5);
    assert.match(problems[0]!.message, /unknown key "path" \(expected one of: paths, project, region, dependsOn, kind\); did you mean "paths"\?$/);
  });

  it('rejects a typo at the top level', () => {
    const problems = problemsOf('{"projet": "abc-def", "region": "us-west2", "services": {"a": {}}}');
    assert.ok(problems.some((p) => p.jsonPath === '$.projet' && /unknown key "projet"/.test(p.message)));
  });

  it('enforces Cloud Run service naming rules', () => {
    for (const bad of ['Upper', '1starts-with-digit', 'ends-with-', 'under_score', 'x'.repeat(50)]) {
      const problems = problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { [bad]: {} } }));
      assert.ok(problems.some((p) => p.message.includes(`invalid service name "${bad}"`)), `${bad}: ${JSON.stringify(problems)}`);
    }
    parseConfig(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { ['a'.repeat(49)]: {}, a: {}, 'a-1': {} } }), FILE);
  });

  it('reads each unit\'s kind, "service" unless it says "function" or "job"', () => {
    const config = parseConfig(
      JSON.stringify({
        project: 'abc-def',
        region: 'us-west2',
        services: { api: {}, 'phase3-to-phase4-orchestrator': { kind: 'function', paths: ['orchestration'] }, Grade_Phase5b: { kind: 'function' }, backfill: { kind: 'job', dependsOn: ['api'] }, web: { kind: 'service' } },
      }),
      FILE,
    );
    assert.deepEqual(config.services.map((s) => [s.name, s.kind]), [['api', 'service'], ['phase3-to-phase4-orchestrator', 'function'], ['Grade_Phase5b', 'function'], ['backfill', 'job'], ['web', 'service']]);
    assert.deepEqual(config.services[3]!.dependsOn, ['api']);
  });

  it('refuses a misspelt kind, at its line, with the nearest kind', () => {
    const problems = problemsOf('{\n  "project": "abc-def",\n  "region": "us-west2",\n  "services": {\n    "orchestrator": {\n      "kind": "fuction"\n    }\n  }\n}');
    assert.deepEqual(problems, [{ jsonPath: '$.services.orchestrator.kind', line: 6, message: 'expected "service", "function" or "job", got "fuction"; did you mean "function"?' }]);
    assert.throws(() => parseConfig('{"project": "abc-def", "region": "us-west2", "services": {"a": {"kind": "Job"}}}', FILE), (err: unknown) => err instanceof ConfigError && err.message === '/repo/cloud-run-drift.json:1: $.services.a.kind: expected "service", "function" or "job", got "Job"; did you mean "job"?');
    // Nothing near: no guess. Not a string: no guess either.
    assert.equal(problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { kind: 'worker-pool' } } }))[0]!.message, 'expected "service", "function" or "job", got "worker-pool"');
    assert.equal(problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { kind: 1 } } }))[0]!.message, 'expected "service", "function" or "job", got 1');
    // A misspelt key names the key it is near.
    assert.match(problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { knid: 'job' } } }))[0]!.message, /^unknown key "knid" \(expected one of: .*\); did you mean "kind"\?$/);
  });

  it('applies the naming rules of each kind', () => {
    const base = { project: 'abc-def', region: 'us-west2' };
    const problem = (name: string, kind?: string): string => {
      const problems = problemsOf(JSON.stringify({ ...base, services: { [name]: kind === undefined ? {} : { kind } } }));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.jsonPath, `$.services${/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`);
      return problems[0]!.message;
    };
    // Functions: letters (either case), digits, hyphens and underscores, starting with a letter, at most 63.
    const fn = (name: string): ServiceConfig => parseConfig(JSON.stringify({ ...base, services: { [name]: { kind: 'function' } } }), FILE).services[0]!;
    for (const name of ['Grade_Phase5b', 'a', `f${'_'.repeat(62)}`, 'ends-with-']) assert.equal(fn(name).kind, 'function', name);
    for (const name of ['1starts-with-digit', '_underscore-first', `f${'x'.repeat(63)}`, 'dot.ted']) {
      assert.match(problem(name, 'function'), new RegExp(`^invalid function name ${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected a Cloud Run function name \\(letters, digits, hyphens and underscores, starting with a letter, at most 63 characters\\)$`));
    }
    // Jobs: as a service's, but up to 63 characters.
    parseConfig(JSON.stringify({ ...base, services: { [`j${'x'.repeat(62)}`]: { kind: 'job' } } }), FILE);
    for (const name of ['Upper', 'under_score', 'ends-with-', `j${'x'.repeat(63)}`]) assert.match(problem(name, 'job'), /^invalid job name ".*": expected a Cloud Run job name \(lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 63 characters\)/);
    // A name that fits another kind says which, since the entry may only lack its "kind".
    assert.equal(
      problem('Grade_Phase5b'),
      'invalid service name "Grade_Phase5b": expected a Cloud Run service name (lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen, at most 49 characters); it is a valid function name: add "kind": "function" if it is one',
    );
    assert.match(problem(`s${'x'.repeat(55)}`), /at most 49 characters\); it is a valid function or job name: add "kind": "function" or "kind": "job" if it is one$/);
    assert.match(problem('Upper', 'job'), /it is a valid function name: add "kind": "function" if it is one$/);
    // A name no kind allows, whatever its kind.
    assert.match(problem('1x'), /^invalid service name "1x": expected a Cloud Run service name/);
    assert.match(problem('1x', 'function'), /^invalid function name "1x"/);
  });

  it('refuses traffic settings on a Cloud Run job, saying a job has no traffic', () => {
    for (const key of ['traffic', 'tag', 'tags']) {
      const problems = problemsOf(`{"project": "abc-def", "region": "us-west2", "services": {\n"backfill": {"kind": "job",\n"${key}": [{"percent": 100}]}}}`);
      assert.deepEqual(problems.map((p) => [p.jsonPath, p.line]), [[`$.services.backfill.${key}`, 3]]);
      assert.match(problems[0]!.message, new RegExp(`^unknown key "${key}": a Cloud Run job serves no traffic \\(each execution runs to completion\\), so it takes no traffic settings \\(expected one of: paths, project, region, dependsOn, kind\\)$`));
    }
    // On a service the key is just unknown.
    assert.match(problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { api: { traffic: [] } } }))[0]!.message, /^unknown key "traffic" \(expected one of/);
  });

  it('explains wrong types, bad paths and bad endpoints', () => {
    const problems = problemsOf(
      JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { paths: 'x' }, b: { paths: ['../outside'] } }, endpoints: { run: 'not a url' } }),
    );
    const byPath = new Map(problems.map((p) => [p.jsonPath, p.message]));
    assert.equal(byPath.get('$.services.a.paths'), 'expected array');
    assert.match(byPath.get('$.services.b.paths[0]') ?? '', /without ".." segments/);
    assert.match(byPath.get('$.endpoints.run') ?? '', /expected a URL/);
  });

  it('requires a project and region for every service', () => {
    const problems = problemsOf(JSON.stringify({ services: { a: { region: 'us-west2' } } }));
    assert.deepEqual(problems.map((p) => [p.jsonPath, p.message]), [['$.services.a', 'expected a "project" here or at the top level']]);
  });

  it('rejects bad dependencies and dependency cycles', () => {
    const base = { project: 'abc-def', region: 'us-west2' };
    let problems = problemsOf(JSON.stringify({ ...base, services: { a: { dependsOn: ['missing'] } } }));
    assert.match(problems[0]!.message, /expected the name of a configured service, got "missing"/);
    problems = problemsOf(JSON.stringify({ ...base, services: { a: { dependsOn: ['b'] }, b: { dependsOn: ['a'] } } }));
    assert.match(problems[0]!.message, /dependency cycle, found a → b → a/);
  });

  it('orders named deploy commands with the default first', () => {
    const config = parseConfig(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: {} }, deploy: { commands: { full: './full.sh', hot: './hot.sh' }, default: 'hot' } }), FILE);
    assert.deepEqual(config.deployCommands.map((c) => c.name), ['hot', 'full']);
    const problems = problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: {} }, deploy: { commands: { full: './full.sh' }, default: 'hott' } }));
    assert.equal(problems[0]!.jsonPath, '$.deploy.default');
  });

  it('normalizes paths and treats "." as the whole repository', () => {
    assert.deepEqual(normalizePaths(['a/b/', './c', 'a/b']), ['a/b', 'c']);
    assert.deepEqual(normalizePaths(['a', '.']), []);
  });

  it('refuses a key given twice at any depth, naming both lines', () => {
    const text = [
      '{', //                                        1
      '  "project": "abc-def",', //                  2
      '  "region": "us-west2",', //                  3
      '  "services": {', //                          4
      '    "api": { "paths": ["api"] },', //          5
      '    "web": {', //                             6
      '      "paths": ["web"],', //                  7
      '      "paths": ["www"]', //                   8
      '    },', //                                   9
      '    "api": { "paths": ["api2"] }', //         10
      '  },', //                                     11
      '  "services": { "other": {} }', //            12
      '}',
    ].join('\n');
    assert.deepEqual(problemsOf(text), [
      { jsonPath: '$.services.web', line: 8, message: 'duplicate key "paths" (lines 7 and 8); keep one' },
      { jsonPath: '$.services', line: 10, message: 'duplicate key "api" (lines 5 and 10); keep one' },
      { jsonPath: '$', line: 12, message: 'duplicate key "services" (lines 4 and 12); keep one' },
    ]);
    assert.throws(() => parseConfig(text, FILE), /^\/repo\/cloud-run-drift\.json:10: \$\.services: duplicate key "api" \(lines 5 and 10\)/m);
    // Inside arrays of objects too, and in sections that take any key.
    assert.deepEqual(problemsOf('{"services": {"a": {}}, "logFilters": {"Errors": "x",\n "Errors": "y"}}').map((p) => [p.jsonPath, p.line]), [['$.logFilters', 2]]);
  });

  it('refuses absurd nesting as a configuration error naming the line, not a stack overflow', async () => {
    const deep = `{"services": {"a": {}},\n"logFilters": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assert.deepEqual(problemsOf(deep), [{ jsonPath: '$', line: 2, message: `nested more than ${MAX_NESTING} levels deep (a configuration needs at most 4)` }]);
    // Unclosed, and after a string the parser ends at a line break.
    assert.equal(problemsOf(`{"services": "x\n${'{'.repeat(100_000)}`)[0]!.message, `nested more than ${MAX_NESTING} levels deep (a configuration needs at most 4)`);
    // Brackets inside strings are text, however many.
    const quoted = parseConfig(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: {} }, logFilters: { deep: '['.repeat(1000) } }), FILE);
    assert.equal(quoted.logFilters.deep, '['.repeat(1000));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-config-'));
    try {
      const file = path.join(dir, 'cloud-run-drift.json');
      fs.writeFileSync(file, deep);
      await assert.rejects(loadConfig(file), (err: unknown) => err instanceof ConfigError && err.file === file && err.message.startsWith(`${file}:2: $: nested more than`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows a dependsOn chain of any length without exhausting the stack', () => {
    const chain = (n: number, last: Record<string, unknown>): Record<string, unknown> =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`s${i}`, i + 1 < n ? { dependsOn: [`s${i + 1}`] } : last]));
    const base = { project: 'abc-def', region: 'us-west2' };
    assert.equal(parseConfig(JSON.stringify({ ...base, services: chain(10_000, {}) }), FILE).services.length, 10_000);
    const problems = problemsOf(JSON.stringify({ ...base, services: chain(10_000, { dependsOn: ['s9990'] }) }));
    assert.deepEqual(problems.map((p) => p.jsonPath), ['$.services.s9990.dependsOn']);
    assert.match(problems[0]!.message, /^expected no dependency cycle, found s9990 → s9991 → .* → s9999 → s9990$/);
  });

  it('checks dependsOn and requires against configured services only, not inherited names', () => {
    const base = { project: 'abc-def', region: 'us-west2' };
    for (const name of ['constructor', 'hasownproperty', 'tostring']) {
      assert.deepEqual(
        problemsOf(JSON.stringify({ ...base, services: { a: { dependsOn: [name] } }, jobs: { j: { command: 'x', requires: [name] } } })).map((p) => `${p.jsonPath}: ${p.message}`),
        [`$.services.a.dependsOn[0]: expected the name of a configured service, got "${name}"`, `$.jobs.j.requires[0]: expected the name of a configured service, got "${name}"`],
      );
    }
  });

  it('keeps a "__proto__" key as a key: refused where names are checked, an ordinary entry elsewhere', () => {
    const base = '"project": "abc-def", "region": "us-west2"';
    const services = problemsOf(`{${base}, "services": {"__proto__": {"a": {}}, "b": {"dependsOn": ["a"]}}}`).map((p) => `${p.jsonPath}: ${p.message}`);
    assert.ok(services.some((p) => p.startsWith('$.services.__proto__: invalid service name "__proto__"')), services.join('\n'));
    assert.deepEqual(problemsOf(`{${base}, "__proto__": {"services": {"a": {}}}}`).map((p) => p.message), ['missing required key "services"', 'unknown key "__proto__" (expected one of: project, region, commitLabel, services, deploy, logFilters, jobs, endpoints)']);
    const config = parseConfig(`{${base}, "services": {"a": {}}, "logFilters": {"__proto__": "severity>=ERROR"}}`, FILE);
    assert.ok(Object.hasOwn(config.logFilters, '__proto__'));
    assert.equal(Object.getPrototypeOf(config.logFilters), Object.prototype);
  });

  it('refuses NUL and other control characters in paths, naming the character', () => {
    for (const [bad, shown] of [['predictions/worker\u0000', 'U+0000'], ['a\nb', 'U+000A'], ['a\u001bb', 'U+001B'], ['a\u007f', 'U+007F'], ['a\u0085', 'U+0085']] as const) {
      const problems = problemsOf(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { paths: ['ok', bad] } } }));
      assert.deepEqual(problems.map((p) => [p.jsonPath, p.message]), [['$.services.a.paths[1]', `expected no control characters, found ${shown}`]]);
    }
    assert.deepEqual(parseConfig(JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: { paths: ['dossier é/ünï code'] } } }), FILE).services[0]!.paths, ['dossier é/ünï code']);
  });

  it('accepts a leading UTF-8 byte order mark and names one anywhere else', () => {
    const json = '{\n  "project": "abc-def",\n  "region": "us-west2",\n  "services": { "a": {} }\n}\n';
    assert.deepEqual(parseConfig(`\ufeff${json}`, FILE).services.map((s) => s.name), ['a']);
    const problems = problemsOf(json.replace('"region"', '\ufeff"region"'));
    assert.deepEqual(problems[0], { jsonPath: '$', line: 3, message: 'invalid JSON: unexpected character U+FEFF (a byte order mark, allowed only at the start of the file)' });
    assert.match(problemsOf('{"services": @}')[0]!.message, /unexpected character "@"/);
  });

  it('finds the file from a subdirectory and reports an unreadable one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-config-'));
    try {
      fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'cloud-run-drift.json'), JSON.stringify({ project: 'abc-def', region: 'us-west2', services: { a: {} } }));
      assert.equal(await findConfigFile(path.join(dir, 'a', 'b')), path.join(dir, 'cloud-run-drift.json'));
      await assert.rejects(loadConfig(path.join(dir, 'missing.json')), /cannot read the file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
