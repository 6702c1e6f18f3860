import assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/core/config';
import {
  buildScaffoldConfig,
  guessCommitLabel,
  guessServicePaths,
  listRepositoryDirectories,
  validateProjectId,
  validateRegion,
} from '../../src/extension/commands/scaffoldPlan';

describe('extension scaffold', () => {
  it('validates project and region with the schema patterns', () => {
    assert.equal(validateProjectId('nba-props-platform'), null);
    assert.equal(validateProjectId('example.com:my-project'), null);
    assert.match(validateProjectId('') ?? '', /Enter/);
    assert.match(validateProjectId('My_Project') ?? '', /project ID/);
    assert.equal(validateRegion('us-west2'), null);
    assert.match(validateRegion('us west') ?? '', /region/);
  });

  it('guesses the commit label only from SHA-looking labels', () => {
    assert.equal(guessCommitLabel([{ name: 'a', labels: { 'commit-sha': '81147d04' } }]), null, 'the default needs no key');
    assert.equal(guessCommitLabel([{ name: 'a', labels: { env: 'prod' } }]), null);
    assert.equal(
      guessCommitLabel([
        { name: 'a', labels: { 'git-sha': '81147d04', build: 'abcdef1' } },
        { name: 'b', labels: { 'git-sha': '0123456789abcdef0123456789abcdef01234567' } },
      ]),
      'git-sha',
    );
  });

  it('guesses a service directory by name, shallowest first', () => {
    const dirs = ['predictions', 'predictions/worker', 'services/prediction-worker', 'prediction_worker', 'api', 'tools/api'];
    assert.deepEqual(guessServicePaths('prediction-worker', dirs), ['prediction_worker']);
    assert.deepEqual(guessServicePaths('api-service', dirs), ['api']);
    assert.deepEqual(guessServicePaths('billing', dirs), []);
  });

  it('writes a file that core accepts', () => {
    const text = buildScaffoldConfig({
      project: 'nba-props-platform',
      region: 'us-west2',
      commitLabel: 'git-sha',
      services: [
        { name: 'prediction-worker', paths: ['predictions/worker'] },
        { name: 'api', paths: [] },
      ],
      runEndpoint: null,
    });
    assert.ok(text.endsWith('}\n'));
    const parsed = parseConfig(text, '/repo/cloud-run-drift.json');
    assert.equal(parsed.commitLabel, 'git-sha');
    assert.deepEqual(parsed.services.map((s) => [s.name, s.project, s.region, s.paths]), [
      ['api', 'nba-props-platform', 'us-west2', []],
      ['prediction-worker', 'nba-props-platform', 'us-west2', ['predictions/worker']],
    ]);
  });

  it('points the file at the endpoint the services were listed from', () => {
    const text = buildScaffoldConfig({ project: 'p-123456', region: 'us-west2', commitLabel: null, services: [{ name: 'a', paths: [] }], runEndpoint: 'http://127.0.0.1:8123' });
    assert.deepEqual(parseConfig(text, '/repo/cloud-run-drift.json').endpoints, { run: 'http://127.0.0.1:8123' });
    assert.ok(!text.includes('commitLabel'));
  });

  it('lists repository directories without hidden or dependency folders', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'crd-dirs-'));
    try {
      for (const dir of ['svc/worker/src', '.git/refs', 'node_modules/x', 'shared', 'a/b/c/d']) await fs.mkdir(path.join(root, dir), { recursive: true });
      await fs.writeFile(path.join(root, 'svc/file.txt'), '');
      assert.deepEqual(await listRepositoryDirectories(root), ['a', 'a/b', 'a/b/c', 'shared', 'svc', 'svc/worker', 'svc/worker/src']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  });
});
