// How the Services view presents a configured path that names nothing at HEAD: the row's icon,
// description and tooltip, and the configuration problems listed under it (each opening the line).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../src/core/config';
import { describeVerdict } from '../../src/core/verdicts/format';
import { missingPathProblems, verdictPathProblems } from '../../src/core/verdicts/missingPaths';
import { serviceTooltipMarkdown } from '../../src/extension/tree/tooltip';
import { serviceContextValue, statusLabel, verdictIcon } from '../../src/extension/views/presentation';
import { verdict } from './extension-fixtures';

const NOW = new Date('2026-11-29T10:00:00Z');
const TEXT = [
  '{',
  '  "project": "nba-props-platform",',
  '  "region": "us-west2",',
  '  "services": {',
  '    "prediction-worker": { "paths": ["predictions/workr"] },',
  '    "prediction-coordinator": {',
  '      "paths": [',
  '        "predictions/coordinator",',
  '        "./shared/libz/"',
  '      ]',
  '    }',
  '  }',
  '}',
].join('\n');
const config = parseConfig(TEXT, '/repo/cloud-run-drift.json');
const [worker, coordinator] = config.services;

describe('a configured path missing at HEAD in the Services view', () => {
  it('lists one configuration problem per missing path, at the line the file writes it', () => {
    assert.deepEqual(missingPathProblems(worker!, ['predictions/workr']), [
      { jsonPath: '$.services["prediction-worker"].paths[0]', line: 5, message: '"predictions/workr" names nothing at HEAD (misspelt, or not committed yet?)' },
    ]);
    // Normalized ("./shared/libz/" is read as "shared/libz"), yet located where it is written.
    assert.deepEqual(missingPathProblems(coordinator!, ['shared/libz']), [
      { jsonPath: '$.services["prediction-coordinator"].paths[1]', line: 9, message: '"shared/libz" names nothing at HEAD (misspelt, or not committed yet?)' },
    ]);
    const verdicts = [
      verdict('prediction-worker', 'path-missing', { missingPaths: ['predictions/workr'] }),
      verdict('prediction-coordinator', 'up-to-date', { missingPaths: [] }),
    ];
    assert.deepEqual(verdictPathProblems(config.services, verdicts).map((p) => p.line), [5]);
  });

  it('a service with every path missing: its own status, icon and context value, never "up to date"', () => {
    const v = verdict('prediction-worker', 'path-missing', { missingPaths: ['predictions/workr'], commitsBehind: null });
    assert.equal(statusLabel('path-missing'), 'path missing');
    assert.deepEqual(verdictIcon('path-missing'), { id: 'bracket-error', color: 'list.errorForeground' });
    assert.equal(describeVerdict(v, NOW), 'path missing · 81147d04 · 2h ago');
    assert.equal(serviceContextValue(v, false), 'cloudRunDrift.service.path-missing.hasCommit');
  });

  it('a service with some paths missing keeps its verdict and says how many are missing', () => {
    const v = verdict('prediction-coordinator', 'stale', { missingPaths: ['shared/libz'] });
    assert.equal(describeVerdict(v, NOW), '3 behind · 81147d04 · 2h ago · 1 path missing');
    assert.equal(describeVerdict(verdict('a', 'up-to-date', { missingPaths: ['x', 'y'] }), NOW), '81147d04 · 2h ago · 2 paths missing');
    const md = serviceTooltipMarkdown({
      name: 'prediction-coordinator', project: 'nba-props-platform', region: 'us-west2', paths: coordinator!.paths,
      status: 'stale', verdict: v, checkedAt: null, failure: undefined, now: NOW,
    });
    assert.match(md, /\*\*Paths:\*\* predictions\\\/coordinator, shared\\\/libz \*\*\(nothing at HEAD\)\*\*/);
  });
});
