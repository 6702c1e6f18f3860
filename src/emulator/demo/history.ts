// The demo repository's history: a monorepo modelled on the session-43 story (NBA props platform),
// with scrapers, analytics/precompute processors and a prediction coordinator/worker that share code.
//
// The plan is data: commits in order, each touching some files, some marked as the commit a service
// was deployed from. Files grow by appending, so lines that logs point at (coordinator.py:212,
// batch_consolidator.py:148, see logging-seed.ts) stay where the tracebacks say they are.
import { createHash } from 'node:crypto';

export interface Author {
  name: string;
  email: string;
}

export const AUTHORS = {
  naji: { name: 'Naji Haddad', email: 'naji@nba-props.dev' },
  priya: { name: 'Priya Raman', email: 'priya@nba-props.dev' },
  marcus: { name: 'Marcus Lee', email: 'marcus@nba-props.dev' },
  dana: { name: 'Dana Okafor', email: 'dana@nba-props.dev' },
} as const satisfies Record<string, Author>;

export type DemoServiceName =
  | 'prediction-coordinator'
  | 'prediction-worker'
  | 'nba-phase1-scrapers'
  | 'nba-phase3-analytics-processors'
  | 'nba-phase4-precompute-processors';

export interface DemoServiceSpec {
  name: DemoServiceName;
  paths: string[];
  /** The number of the revision serving traffic in the seeded state (the story's revision numbers). */
  servingRevisionNumber: number;
  /** Its three-character suffix, when the story names it. */
  servingRevisionSuffix?: string;
}

export type DemoFunctionName = 'phase3-to-phase4-orchestrator' | 'phase5b-grading';

/** A Cloud Run function (gen2) of the demo: it runs on a Cloud Run service of the same name. */
export interface DemoFunctionSpec {
  name: DemoFunctionName;
  paths: string[];
  servingRevisionNumber: number;
  /** Its last deploy failed in the build: the function says so while this older revision serves. */
  lastBuildFailed?: { message: string };
}

export const DEMO_FUNCTIONS: readonly DemoFunctionSpec[] = [
  { name: 'phase3-to-phase4-orchestrator', paths: ['orchestration/phase3_to_phase4'], servingRevisionNumber: 14 },
  {
    name: 'phase5b-grading',
    paths: ['orchestration/phase5b_grading'],
    servingRevisionNumber: 9,
    lastBuildFailed: {
      message:
        'Build failed with status: FAILURE. pip_install_from_requirements: ERROR: Could not find a version that satisfies the requirement numpy==2.4.0 ' +
        '(from -r requirements.txt (line 4)) (from versions: 1.26.4, 2.0.2, 2.1.3, 2.2.6, 2.3.5)',
    },
  },
];

export const DEMO_SERVICES: readonly DemoServiceSpec[] = [
  { name: 'prediction-coordinator', paths: ['predictions/coordinator', 'shared'], servingRevisionNumber: 117, servingRevisionSuffix: 'm5r' },
  { name: 'prediction-worker', paths: ['predictions/worker', 'shared'], servingRevisionNumber: 95 },
  { name: 'nba-phase1-scrapers', paths: ['scrapers'], servingRevisionNumber: 23 },
  { name: 'nba-phase3-analytics-processors', paths: ['data_processors/analytics', 'shared'], servingRevisionNumber: 61 },
  { name: 'nba-phase4-precompute-processors', paths: ['data_processors/precompute', 'shared'], servingRevisionNumber: 82 },
];

/** The Cloud Run jobs the repository deploys (units of kind "job"). */
export type DemoJobName = 'player-game-summary-analytics-backfill' | 'grading-backfill';

export interface DemoJobSpec {
  name: DemoJobName;
  paths: string[];
  /** Seeded with two runs on its stale template, the last one failed on the coordinator's MERGE. */
  failedOnMerge?: boolean;
  /** Its executions run the demo's grading backfill in the emulator (writing BigQuery and logs). */
  grades?: boolean;
}

/**
 * A backfill of the analytics processors' player game summaries, run as a Cloud Run job; its template
 * went stale. The grading backfill as a Cloud Run job (beside the local command that runs the same
 * code): deployed when it was added, stale since.
 */
export const DEMO_JOBS: readonly DemoJobSpec[] = [
  { name: 'player-game-summary-analytics-backfill', paths: ['backfill_jobs/analytics/player_game_summary', 'data_processors/analytics', 'shared'], failedOnMerge: true },
  { name: 'grading-backfill', paths: ['backfill_jobs/grading'], grades: true },
];

export interface PlannedCommit {
  subject: string;
  author: Author;
  /** Full contents of files this commit adds (or replaces). */
  add?: Record<string, string>;
  /** Files this commit appends a change to (a function named after the subject). */
  touch?: string[];
  /** Text replacements applied to existing files: [file, search, replacement]. */
  edit?: [string, string, string][];
  /** Executable files among `add`. */
  executable?: string[];
  /** The services, functions and jobs that were deployed from this commit (their serving revision, or a job's template, in the seeded state). */
  deployed?: (DemoServiceName | DemoFunctionName | DemoJobName)[];
}

// ---------------------------------------------------------------------------------------------
// File contents.

function pythonHelpers(count: number, seed: string, indent: string): string[] {
  const verbs = ['load', 'validate', 'normalize', 'resolve', 'build', 'fetch', 'record', 'summarize', 'check', 'format'];
  const nouns = ['batch_config', 'staging_table', 'player_ids', 'game_date', 'feature_row', 'prediction_set', 'retry_policy', 'metric', 'schedule', 'run_context'];
  const lines: string[] = [];
  for (let i = 0; ; i++) {
    const hash = createHash('sha256').update(`${seed}/${i}`).digest();
    const name = `${verbs[hash[0]! % verbs.length]}_${nouns[hash[1]! % nouns.length]}_${i}`;
    const block = [
      `${indent}def _${name}(self, value):`,
      `${indent}    """Helper kept small so consolidation stays readable."""`,
      `${indent}    if value is None:`,
      `${indent}        raise ValueError("${name.replace(/_\d+$/, '')}: value is required")`,
      `${indent}    return value`,
      '',
    ];
    // Only whole helpers: a truncated one would not be valid Python. Blank lines fill the rest.
    if (lines.length + block.length > count) break;
    lines.push(...block);
  }
  while (lines.length < count) lines.push('');
  return lines;
}

/** A Python file whose line `anchorLine` (1-based) is exactly `anchorText`, padded with helpers above. */
function pythonWithAnchor(prefix: string[], anchorBlockBefore: string[], anchorText: string, anchorLine: number, after: string[], seed: string): string {
  const paddingNeeded = anchorLine - 1 - prefix.length - anchorBlockBefore.length;
  if (paddingNeeded < 0) throw new Error(`demo history: ${seed} anchor does not fit at line ${anchorLine}`);
  const lines = [...prefix, ...pythonHelpers(paddingNeeded, seed, '    '), ...anchorBlockBefore, anchorText, ...after];
  if (lines[anchorLine - 1] !== anchorText) throw new Error(`demo history: ${seed} anchor misplaced`);
  return `${lines.join('\n')}\n`;
}

const COORDINATOR_PY = pythonWithAnchor(
  [
    '"""Prediction coordinator: fans a game day out to workers and consolidates their staging tables."""',
    'import logging',
    'import os',
    '',
    'from flask import Flask, request',
    '',
    'from predictions.coordinator.batch_consolidator import BatchConsolidator',
    'from predictions.coordinator.batch_staging_writer import BatchStagingWriter',
    'from shared.config.settings import Settings',
    '',
    'logger = logging.getLogger(__name__)',
    'app = Flask(__name__)',
    '',
    '',
    'class Coordinator:',
    '    def __init__(self, settings: Settings):',
    '        self.settings = settings',
    '        self.writer = BatchStagingWriter(settings)',
    '        self.consolidator = BatchConsolidator(settings)',
    '',
  ],
  [
    '    def consolidate(self, batch_id, staging_tables):',
    '        """Merges every worker staging table of a batch into player_prop_predictions."""',
    '        logger.info("Executing consolidation MERGE for batch with %d staging tables", len(staging_tables))',
  ],
  '        result = self.consolidator.run_merge(batch_id, staging_tables)',
  212,
  [
    '        logger.info("MERGE complete: %d rows affected in %.1fms", result.rows, result.elapsed_ms)',
    '        return result',
    '',
    '',
    '@app.route("/start", methods=["POST"])',
    'def start():',
    '    coordinator = Coordinator(Settings.from_env())',
    '    return coordinator.start_batch(request.get_json())',
    '',
    '',
    'if __name__ == "__main__":',
    '    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))',
  ],
  'coordinator.py',
);

const CONSOLIDATOR_PY = pythonWithAnchor(
  [
    '"""Consolidates worker staging tables into the predictions table with one MERGE per batch."""',
    'import logging',
    'import time',
    'from dataclasses import dataclass',
    '',
    'from google.cloud import bigquery',
    '',
    'logger = logging.getLogger(__name__)',
    '',
    '',
    '@dataclass',
    'class MergeResult:',
    '    rows: int',
    '    elapsed_ms: float',
    '',
    '',
    'class BatchConsolidator:',
    '    def __init__(self, settings):',
    '        self.settings = settings',
    '        self.client = bigquery.Client(project=settings.project_id)',
    '',
  ],
  [
    '    def run_merge(self, batch_id, staging_tables):',
    '        started = time.monotonic()',
    '        merge_job = self.client.query(self.merge_sql(batch_id, staging_tables))',
  ],
  '        merge_job.result(timeout=300)',
  148,
  [
    '        return MergeResult(rows=merge_job.num_dml_affected_rows or 0, elapsed_ms=(time.monotonic() - started) * 1000)',
    '',
    '    def merge_sql(self, batch_id, staging_tables):',
    '        union = "\\nUNION ALL\\n".join(f"SELECT * FROM `{table}`" for table in staging_tables)',
    '        return f"""',
    '        MERGE `{self.settings.predictions_table}` AS target',
    '        USING ({union}) AS source',
    '        ON target.player_lookup = source.player_lookup AND target.game_date = source.game_date',
    '        WHEN MATCHED THEN UPDATE SET',
    '          predicted_points = source.predicted_points,',
    '          updated_at = CURRENT_TIMESTAMP()',
    '        WHEN NOT MATCHED THEN INSERT ROW',
    '        """',
  ],
  'batch_consolidator.py',
);

const DOCKERFILE = (module: string): string =>
  `FROM python:3.11-slim\nWORKDIR /app\nCOPY shared/ shared/\nCOPY ${module}/ ${module}/\nRUN pip install --no-cache-dir -r ${module}/requirements.txt\nENV PYTHONPATH=/app\nCMD exec gunicorn --bind :$PORT --workers 1 --threads 8 --timeout 0 ${module.replace(/\//g, '.')}.main:app\n`;

const REQUIREMENTS = 'flask==3.0.3\ngunicorn==21.2.0\ngoogle-cloud-bigquery==3.25.0\ngoogle-cloud-pubsub==2.23.0\n';
const FUNCTION_REQUIREMENTS = 'functions-framework==3.8.1\ngoogle-cloud-bigquery==3.25.0\ngoogle-cloud-firestore==2.19.0\nnumpy==2.2.6\n';

function pythonModule(docstring: string, body: string[] = []): string {
  return [`"""${docstring}"""`, 'import logging', '', 'logger = logging.getLogger(__name__)', '', ...body, ''].join('\n');
}

const README = `# NBA props platform

Scrapers, processors and predictions for NBA player props, deployed as Cloud Run services and
Cloud Run functions.

| Service | Code |
|---|---|
| nba-phase1-scrapers | scrapers/ |
| nba-phase3-analytics-processors | data_processors/analytics/, shared/ |
| nba-phase4-precompute-processors | data_processors/precompute/, shared/ |
| prediction-coordinator | predictions/coordinator/, shared/ |
| prediction-worker | predictions/worker/, shared/ |
| phase3-to-phase4-orchestrator (function) | orchestration/phase3_to_phase4/ |
| phase5b-grading (function) | orchestration/phase5b_grading/ |

Deploy one service or function: \`./bin/deploy-service.sh NAME\`.
Check what production runs: \`cloud-run-drift check\` (configuration in cloud-run-drift.json).
`;

/**
 * The handoff's grading table as it was written, Total row included: that row averages the daily
 * figures (MAE 5.45, bias 0.31, accuracy 49.0%); over the 489 predictions they are 5.62, 0.29 and
 * about 50%, which the demo's scoreboard shows beside it.
 */
export const HANDOFF_GRADING_TABLE = `| Date | Graded | MAE | Bias | Accuracy |
|------|--------|-----|------|----------|
| Jan 24 | 22 | 4.52 | 0.16 | 40.0% |
| Jan 25 | 99 | 5.45 | 1.14 | 58.9% |
| Jan 26 | 118 | 5.59 | 0.23 | 55.3% |
| Jan 27 | 105 | 6.12 | 0.19 | 45.9% |
| Jan 28 | 145 | 5.55 | -0.15 | 45.0% |
| **Total** | **489** | **5.45** | **0.31** | **49.0%** |
`;

const SESSION_43_HANDOFF = `# Session 43 Handoff - Verification and Deployment Fixes

Session 40's handoff said the coordinator was deployed with the MERGE fix. It was not: revision
\`prediction-coordinator-00117-m5r\` still carries the old commit label, and MERGE errors continue
("updated_at assigned more than once").

Lesson: always verify a deployment by the commit label of the revision that serves traffic.

Next: \`./bin/deploy-service.sh prediction-coordinator\`, then check deployment drift.

## Grading Backfill Results

Ran \`prediction_accuracy_grading_backfill.py --start-date 2026-01-24 --end-date 2026-01-28\`:

${HANDOFF_GRADING_TABLE}
Jan 29 grading (90 predictions) was already complete from earlier in the session.
`;

// ---------------------------------------------------------------------------------------------
// Subjects for the steady stream of work after the coordinator's last deploy.

const COORDINATOR_SUBJECTS = [
  'coordinator: batch Pub/Sub fan-out by game instead of by player',
  'coordinator: log staging table count per batch',
  'coordinator: retry worker dispatch on 429 with jitter',
  'coordinator: skip games without posted lines',
  'coordinator: add /status endpoint for batch progress',
  'coordinator: persist batch state in Firestore',
  'coordinator: tolerate duplicate completion messages',
  'coordinator: cap staging tables per MERGE at 100',
  'coordinator: emit structured completion events',
  'coordinator: move batch timeout to settings',
  'coordinator: clean up staging tables after consolidation',
  'coordinator: record worker latency percentiles',
  'coordinator: validate player lookup keys before dispatch',
  'coordinator: handle postponed games',
  'coordinator: dedupe players across injury report refreshes',
  'coordinator: add dry-run mode for backfills',
  'coordinator: stop re-dispatching completed players',
  'coordinator: include model version in batch metadata',
  'coordinator: tighten MERGE key to player_lookup + game_date + system_id',
  'coordinator: expose consolidation metrics',
  'coordinator: guard against empty staging tables',
  'coordinator: reduce BigQuery slot usage of the MERGE',
  'coordinator: split consolidation into prepare and merge steps',
  'coordinator: add batch_id to every log line',
  'coordinator: abort batch when fewer than half the workers report',
  'coordinator: surface MERGE job id in errors',
  'coordinator: make completion publishing idempotent',
  'coordinator: retry consolidation once on transient BigQuery errors',
  'coordinator: order staging tables deterministically',
  'coordinator: drop legacy v1 prediction path',
  'coordinator: configurable MERGE timeout',
  'coordinator: add consolidation unit tests',
  'coordinator: document batch lifecycle',
  'coordinator: prefer streaming-buffer-safe DML',
  'coordinator: tidy logging of worker failures',
  'coordinator: warn when a batch has stale features',
  'coordinator: add health check for Pub/Sub subscription',
  'coordinator: lower default worker concurrency',
  'coordinator: reuse BigQuery client across requests',
  'coordinator: keep consolidation history for 30 days',
  'coordinator: pass game date through to workers explicitly',
  'coordinator: report per-system prediction counts',
];

const SHARED_SUBJECTS: [string, string][] = [
  ['shared: add retry helper for BigQuery jobs', 'shared/utils/bigquery_utils.py'],
  ['shared: central game-date parsing', 'shared/utils/dates.py'],
  ['shared: settings read PREDICTIONS_TABLE from env', 'shared/config/settings.py'],
  ['shared: structured logging with batch context', 'shared/utils/logging_utils.py'],
  ['shared: player lookup normalization handles suffixes', 'shared/utils/player_lookup.py'],
  ['shared: BigQuery helper returns affected row counts', 'shared/utils/bigquery_utils.py'],
  ['shared: team abbreviation map for 2025-26', 'shared/config/teams.py'],
  ['shared: settings validate required env at startup', 'shared/config/settings.py'],
  ['shared: add Pub/Sub publish helper with ordering keys', 'shared/utils/pubsub_utils.py'],
  ['shared: timezone-safe game schedule helpers', 'shared/utils/dates.py'],
];

const WORKER_SUBJECTS = [
  'worker: load CatBoost v8 model from GCS once per instance',
  'worker: fall back to rolling averages when features are missing',
  'worker: write predictions to per-batch staging tables',
  'worker: add ensemble weights to output',
  'worker: log model load time',
  'worker: skip players ruled out on the injury report',
];
const SCRAPER_SUBJECTS = [
  'scrapers: balldontlie box scores pagination',
  'scrapers: back off on upstream 429s',
  'scrapers: odds API player props scraper',
  'scrapers: publish scrape-complete messages',
  'scrapers: injury report parser handles new PDF layout',
];
const ANALYTICS_SUBJECTS = [
  'analytics: player game summary uses shared player lookup',
  'analytics: dependency check for upstream freshness',
  'analytics: team offense summary processor',
  'analytics: skip streaming-buffer rows on reprocessing',
];
const ORCHESTRATOR_SUBJECTS = [
  'orchestrator: wait for every phase 3 processor before triggering phase 4',
  'orchestrator: record phase completion in Firestore',
];
const GRADING_SUBJECTS = ['grading: grade props against final box scores', 'grading: skip voided props'];
const PRECOMPUTE_SUBJECTS = [
  'precompute: ML feature store v2 columns',
  'precompute: player shot zone analysis',
  'precompute: composite factors use 10-game window',
  'precompute: early-season fallback for sparse history',
];

// ---------------------------------------------------------------------------------------------
// The plan.

const authorCycle = [AUTHORS.naji, AUTHORS.priya, AUTHORS.marcus, AUTHORS.dana, AUTHORS.naji, AUTHORS.priya];
function authorFor(index: number): Author {
  return authorCycle[index % authorCycle.length]!;
}

/**
 * The history, oldest first. `extraFiles` are added in their own commit (e.g. the grading backfill job),
 * `deployScript` and `config` are the workspace's bin/deploy-service.sh and cloud-run-drift.json.
 */
export function demoHistory(files: { deployScript: string; config: string; extraFiles: Record<string, string> }): PlannedCommit[] {
  const commits: PlannedCommit[] = [];
  let n = 0;
  const push = (commit: Omit<PlannedCommit, 'author'> & { author?: Author }): void => {
    commits.push({ ...commit, author: commit.author ?? authorFor(n) });
    n += 1;
  };

  // Foundations.
  push({
    subject: 'Initial monorepo layout',
    author: AUTHORS.naji,
    add: {
      'README.md': README,
      '.gitignore': '__pycache__/\n*.pyc\n.venv/\n.env\n',
      'shared/__init__.py': '',
      'shared/config/settings.py': pythonModule('Settings read from the environment of each Cloud Run service.', ['class Settings:', '    project_id = "nba-props-platform"', '    predictions_table = "nba_predictions.player_prop_predictions"', '', '    @classmethod', '    def from_env(cls):', '        return cls()']),
      'shared/utils/bigquery_utils.py': pythonModule('BigQuery helpers shared by every service.'),
      'shared/utils/logging_utils.py': pythonModule('Logging setup: JSON lines Cloud Logging understands.'),
    },
  });
  push({
    subject: 'Add phase 1 scrapers service',
    add: {
      'scrapers/main_scraper_service.py': pythonModule('Phase 1: scrapes box scores, odds and injury reports.'),
      'scrapers/balldontlie/bdl_boxscores.py': pythonModule('balldontlie box score scraper.'),
      'scrapers/requirements.txt': REQUIREMENTS,
      'scrapers/Dockerfile': DOCKERFILE('scrapers'),
    },
  });
  push({
    subject: 'Add phase 3 analytics processors',
    add: {
      'data_processors/analytics/main_analytics_service.py': pythonModule('Phase 3: per-game analytics from raw scraped data.'),
      'data_processors/analytics/player_game_summary/processor.py': pythonModule('Player game summary processor.'),
      'data_processors/analytics/requirements.txt': REQUIREMENTS,
      'data_processors/analytics/Dockerfile': DOCKERFILE('data_processors/analytics'),
    },
  });
  push({
    subject: 'Add phase 4 precompute processors',
    add: {
      'data_processors/precompute/main_precompute_service.py': pythonModule('Phase 4: precomputed features for predictions.'),
      'data_processors/precompute/ml_feature_store/processor.py': pythonModule('ML feature store processor.'),
      'data_processors/precompute/requirements.txt': REQUIREMENTS,
      'data_processors/precompute/Dockerfile': DOCKERFILE('data_processors/precompute'),
    },
  });
  push({
    subject: 'Add phase 3 to phase 4 orchestrator function',
    add: {
      'orchestration/phase3_to_phase4/main.py': pythonModule('Cloud Function: triggers phase 4 once every phase 3 processor has finished a game date.'),
      'orchestration/phase3_to_phase4/requirements.txt': FUNCTION_REQUIREMENTS,
    },
  });
  push({
    subject: 'Add phase 5b grading function',
    add: {
      'orchestration/phase5b_grading/main.py': pythonModule('Cloud Function: grades the day\'s predictions once box scores are final.'),
      'orchestration/phase5b_grading/requirements.txt': FUNCTION_REQUIREMENTS,
    },
  });
  push({
    subject: 'Add prediction coordinator',
    author: AUTHORS.naji,
    add: {
      'predictions/coordinator/coordinator.py': COORDINATOR_PY,
      'predictions/coordinator/batch_consolidator.py': CONSOLIDATOR_PY,
      'predictions/coordinator/batch_staging_writer.py': pythonModule('Writes worker results to per-batch staging tables.'),
      'predictions/coordinator/requirements.txt': REQUIREMENTS,
      'predictions/coordinator/Dockerfile': DOCKERFILE('predictions/coordinator'),
    },
  });
  push({
    subject: 'Add prediction worker',
    add: {
      'predictions/worker/worker.py': pythonModule('Prediction worker: runs every prediction system for a set of players.'),
      'predictions/worker/prediction_systems/ensemble.py': pythonModule('Ensemble of the prediction systems.'),
      'predictions/worker/requirements.txt': REQUIREMENTS,
      'predictions/worker/Dockerfile': DOCKERFILE('predictions/worker'),
    },
  });
  push({ subject: 'Add deploy script for Cloud Run services', author: AUTHORS.naji, add: { 'bin/deploy-service.sh': files.deployScript }, executable: ['bin/deploy-service.sh'] });
  push({ subject: 'Check deployment drift with cloud-run-drift', author: AUTHORS.priya, add: { 'cloud-run-drift.json': files.config } });
  if (Object.keys(files.extraFiles).length > 0) push({ subject: 'Add prediction accuracy grading backfill job', author: AUTHORS.dana, add: files.extraFiles, deployed: ['grading-backfill'] });
  // Deployed as a Cloud Run job once, when it was added; the analytics and shared work since never reached it.
  push({
    subject: 'Add player game summary analytics backfill (Cloud Run job)',
    author: AUTHORS.priya,
    add: {
      'backfill_jobs/analytics/player_game_summary/backfill.py': pythonModule('Re-runs the player game summary processor for a date range (gcloud run jobs execute ... --args=--start-date=...,--end-date=...).', [
        'import argparse',
        '',
        'from data_processors.analytics.player_game_summary.processor import PlayerGameSummaryProcessor',
        '',
        '',
        'def main():',
        '    parser = argparse.ArgumentParser()',
        '    parser.add_argument("--start-date", required=True)',
        '    parser.add_argument("--end-date", required=True)',
        '    args = parser.parse_args()',
        '    PlayerGameSummaryProcessor().backfill(args.start_date, args.end_date)',
        '',
        '',
        'if __name__ == "__main__":',
        '    main()',
      ]),
      'backfill_jobs/analytics/player_game_summary/Dockerfile': [
        'FROM python:3.11-slim',
        'WORKDIR /app',
        'COPY shared/ shared/',
        'COPY data_processors/analytics/ data_processors/analytics/',
        'COPY backfill_jobs/analytics/player_game_summary/ backfill_jobs/analytics/player_game_summary/',
        'RUN pip install --no-cache-dir google-cloud-bigquery==3.25.0',
        'ENV PYTHONPATH=/app',
        'ENTRYPOINT ["python", "-m", "backfill_jobs.analytics.player_game_summary.backfill"]',
        '',
      ].join('\n'),
    },
    deployed: ['player-game-summary-analytics-backfill'],
  });

  // A first round of work, then the coordinator deploy that will go stale.
  push({ subject: 'coordinator: consolidate staging tables with a single MERGE', touch: ['predictions/coordinator/batch_consolidator.py'] });
  push({ subject: 'worker: similarity-based prediction system', touch: ['predictions/worker/prediction_systems/ensemble.py'] });
  push({ subject: 'coordinator: publish completion events after MERGE', touch: ['predictions/coordinator/coordinator.py'], deployed: ['prediction-coordinator'] });

  // Steady work: coordinator, shared and every other service interleaved.
  const coordinatorBefore = 22;
  const streams: PlannedCommit[][] = [
    COORDINATOR_SUBJECTS.slice(0, coordinatorBefore).map((subject, i) => ({
      subject,
      author: authorFor(i + 1),
      touch: [i % 3 === 0 ? 'predictions/coordinator/batch_staging_writer.py' : 'predictions/coordinator/coordinator.py'],
    })),
    SHARED_SUBJECTS.map(([subject, file], i) => ({ subject, author: authorFor(i + 2), touch: [file] })),
    WORKER_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i + 3), touch: ['predictions/worker/worker.py'] })),
    SCRAPER_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i), touch: ['scrapers/main_scraper_service.py'] })),
    ANALYTICS_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i + 1), touch: ['data_processors/analytics/player_game_summary/processor.py'] })),
    PRECOMPUTE_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i + 2), touch: ['data_processors/precompute/ml_feature_store/processor.py'] })),
    ORCHESTRATOR_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i + 3), touch: ['orchestration/phase3_to_phase4/main.py'] })),
    GRADING_SUBJECTS.map((subject, i) => ({ subject, author: authorFor(i), touch: ['orchestration/phase5b_grading/main.py'] })),
  ];
  const interleaved: PlannedCommit[] = [];
  for (let round = 0; streams.some((s) => s.length > 0); round++) {
    for (const stream of streams) {
      // The coordinator stream is busiest: two commits per round while it lasts.
      const take = stream === streams[0] ? 2 : 1;
      for (let i = 0; i < take && stream.length > 0; i++) interleaved.push(stream.shift()!);
    }
  }
  for (const commit of interleaved) push(commit);
  push({ subject: 'docs: phase 4 runbook', author: AUTHORS.dana, add: { 'docs/runbooks/phase4.md': '# Phase 4 runbook\n\nRe-run precompute for a date: POST /process with {"game_date": "YYYY-MM-DD"}.\n' } });

  // Every other service was redeployed after its code last changed: they are up to date.
  const lastTouching = (paths: string[]): number => {
    for (let i = commits.length - 1; i >= 0; i--) {
      const c = commits[i]!;
      const files = [...Object.keys(c.add ?? {}), ...(c.touch ?? []), ...(c.edit ?? []).map(([f]) => f)];
      if (files.some((f) => paths.some((p) => f === p || f.startsWith(`${p}/`)))) return i;
    }
    return commits.length - 1;
  };
  for (const service of [...DEMO_SERVICES, ...DEMO_FUNCTIONS]) {
    if (service.name === 'prediction-coordinator') continue;
    const index = lastTouching(service.paths);
    const commit = commits[index]!;
    commit.deployed = [...(commit.deployed ?? []), service.name];
  }

  // More coordinator work nobody deployed, ending with the MERGE fix the handoff is about.
  COORDINATOR_SUBJECTS.slice(coordinatorBefore, coordinatorBefore + 20).forEach((subject, i) => {
    push({ subject, author: authorFor(i), touch: [i % 4 === 1 ? 'predictions/coordinator/batch_staging_writer.py' : 'predictions/coordinator/coordinator.py'] });
    if (i === 6) push({ subject: 'backfill: grade predictions for a date range', author: AUTHORS.dana, add: { 'backfill_jobs/grading/README.md': '# Grading backfill\n\nGrades predictions against box scores for a date range.\n' } });
    if (i === 12) push({ subject: 'bin: print revision after deploy', author: AUTHORS.naji, add: { 'bin/README.md': '# bin\n\n`deploy-service.sh SERVICE` builds, pushes and deploys one service.\n' } });
    // The grading function moves on; its deploy of HEAD will fail in the build on this pin.
    if (i === 9) push({ subject: 'grading: weight accuracy by minutes played', author: AUTHORS.dana, touch: ['orchestration/phase5b_grading/main.py'] });
    if (i === 15) push({ subject: 'grading: upgrade numpy to 2.4', author: AUTHORS.dana, edit: [['orchestration/phase5b_grading/requirements.txt', 'numpy==2.2.6', 'numpy==2.4.0']] });
  });
  push({
    subject: 'Fix MERGE: updated_at assigned more than once in consolidation',
    author: AUTHORS.naji,
    edit: [
      [
        'predictions/coordinator/batch_consolidator.py',
        '        USING ({union}) AS source',
        '        -- One source row per key: workers can report a player twice when a batch is retried.\n        USING (\n          SELECT * FROM ({union})\n          QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup, game_date ORDER BY created_at DESC) = 1\n        ) AS source',
      ],
    ],
  });
  push({ subject: 'docs: session 43 handoff', author: AUTHORS.naji, add: { 'docs/09-handoff/2026-01-30-SESSION-43-HANDOFF.md': SESSION_43_HANDOFF } });
  return commits;
}

/** What a `touch` appends: a small function named after the commit subject. */
export function appendedChange(file: string, subject: string): string {
  const slug = subject
    .replace(/^[a-z0-9-]+:\s*/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  if (file.endsWith('.py')) {
    return `\n\ndef ${/^[0-9]/.test(slug) ? `_${slug}` : slug}(context):\n    """${subject.replace(/"/g, "'")}."""\n    logger.debug("${slug}", extra={"context": context})\n    return context\n`;
  }
  if (file.endsWith('.md')) return `\n- ${subject}\n`;
  return `\n# ${subject}\n`;
}
