import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, findConfigFile, loadConfig, normalisePaths, parseConfig } from '../../src/core/config';

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
    assert.match(problems[0]!.message, /unknown key "path" \(expected one of: paths, project, region, dependsOn\)/);
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

  it('normalises paths and treats "." as the whole repository', () => {
    assert.deepEqual(normalisePaths(['a/b/', './c', 'a/b']), ['a/b', 'c']);
    assert.deepEqual(normalisePaths(['a', '.']), []);
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
