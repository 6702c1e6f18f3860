// The demo's BigQuery data, built to match the session-43 handoff:
//
//   nba-props-platform.nba_predictions.prediction_accuracy   graded predictions (system catboost_v8) whose
//       per-date count / MAE / bias / accuracy are exactly the handoff's grading table (Jan 24-28), plus
//       the 90 predictions of Jan 29 graded "earlier in the session" (their MAE/bias/accuracy are ours:
//       the handoff gives only the count)
//   nba-props-platform.nba_predictions.player_prop_predictions   every system's predictions, as many per
//       date as the handoff's "Predictions (Last 5 Days)" table (Jan 27-30, with its player counts; Jan
//       24-26 counts are ours). Full size, not scaled down: ~7,900 rows load in well under a second.
//   nba-props-platform.nba_analytics.player_game_summary     actual points of the graded players, which
//       the grading backfill (grading-backfill.mjs) joins with the predictions
//   nba-props-platform.nba_raw.bdl_player_boxscores          34 rows of game 20260124_CLE_ORL still in the
//       streaming buffer (the handoff's "streaming buffer conflicts")
//
// Everything is generated deterministically (a seeded PRNG per date), so the numbers never drift.
// Grading rule (shared with grading-backfill.mjs): OVER is correct when actual > line, UNDER when
// actual < line; PASS (no edge) is not graded for accuracy (prediction_correct NULL). Accuracy is
// correct / (OVER + UNDER), which is how 40.0% of 22 graded rows is possible (8 of 20).
import type { BigQueryScenarioSection, ScenarioFieldSpec, ScenarioRow } from '../bigquery/scenario';

export const DEMO_BIGQUERY_PROJECT = 'nba-props-platform';
export const GRADED_SYSTEM_ID = 'catboost_v8';

export interface DemoGradingDay {
  date: string;
  graded: number;
  /** Mean absolute error, 2 decimals. */
  mae: number;
  /** Mean signed error (predicted - actual), 2 decimals. */
  bias: number;
  /** OVER/UNDER calls that were right, out of `decided` (the rest of `graded` were PASS). */
  correct: number;
  decided: number;
}

/** The handoff's grading table (Jan 24-28) and Jan 29. Accuracy = correct / decided, 1 decimal. */
export const DEMO_GRADING_DAYS: readonly DemoGradingDay[] = [
  { date: '2026-01-24', graded: 22, mae: 4.52, bias: 0.16, correct: 8, decided: 20 }, // 40.0%
  { date: '2026-01-25', graded: 99, mae: 5.45, bias: 1.14, correct: 53, decided: 90 }, // 58.9%
  { date: '2026-01-26', graded: 118, mae: 5.59, bias: 0.23, correct: 57, decided: 103 }, // 55.3%
  { date: '2026-01-27', graded: 105, mae: 6.12, bias: 0.19, correct: 45, decided: 98 }, // 45.9%
  { date: '2026-01-28', graded: 145, mae: 5.55, bias: -0.15, correct: 63, decided: 140 }, // 45.0%
  { date: '2026-01-29', graded: 90, mae: 5.31, bias: -0.42, correct: 41, decided: 82 }, // 50.0%
];

/** The dates the handoff's backfill graded (Jan 29 was graded before it). */
export const BACKFILLED_DATES = ['2026-01-24', '2026-01-25', '2026-01-26', '2026-01-27', '2026-01-28'] as const;

/** Predictions and distinct players per date (Jan 27-30 from the handoff; Jan 24-26 chosen for the demo). */
export const DEMO_PREDICTION_COUNTS: Readonly<Record<string, { predictions: number; players: number }>> = {
  '2026-01-24': { predictions: 288, players: 64 },
  '2026-01-25': { predictions: 905, players: 180 },
  '2026-01-26': { predictions: 1010, players: 203 },
  '2026-01-27': { predictions: 1047, players: 236 },
  '2026-01-28': { predictions: 2816, players: 321 },
  '2026-01-29': { predictions: 882, players: 113 },
  '2026-01-30': { predictions: 966, players: 141 },
};

export interface DemoBigQueryOptions {
  project?: string;
  /**
   * true (default): prediction_accuracy already holds Jan 24-28, as after the handoff's backfill.
   * false: only Jan 29 is graded, so running grading-backfill.mjs fills in the handoff's table.
   */
  includeBackfilledGrades?: boolean;
}

const OTHER_SYSTEMS = ['ensemble_v1', 'moving_average', 'similarity_balanced', 'xgboost_v1', 'zone_matchup_v1'];
const FIRST_NAMES = ['jalen', 'tyrese', 'devin', 'jaylen', 'anthony', 'marcus', 'kevin', 'donovan', 'zion', 'darius', 'jamal', 'luka', 'trae', 'jimmy', 'paolo', 'scottie', 'desmond', 'franz', 'cade', 'evan'];
const LAST_NAMES = ['brooks', 'holmes', 'carter', 'mitchell', 'walker', 'johnson', 'green', 'harris', 'smith', 'allen', 'wright', 'thompson', 'davis', 'young', 'murray', 'porter', 'hayes', 'reed', 'bridges', 'grant'];
const TEAMS = ['ATL', 'BOS', 'BKN', 'CHA', 'CHI', 'CLE', 'DAL', 'DEN', 'DET', 'GSW', 'HOU', 'IND', 'LAC', 'LAL', 'MEM', 'MIA', 'MIL', 'MIN', 'NOP', 'NYK', 'OKC', 'ORL', 'PHI', 'PHX', 'POR', 'SAC', 'SAS', 'TOR', 'UTA', 'WAS'];

export const PREDICTION_ACCURACY_SCHEMA: ScenarioFieldSpec[] = [
  { name: 'game_date', type: 'DATE', mode: 'REQUIRED' },
  { name: 'player_lookup', type: 'STRING', mode: 'REQUIRED' },
  { name: 'game_id', type: 'STRING' },
  { name: 'system_id', type: 'STRING' },
  { name: 'predicted_points', type: 'FLOAT64' },
  { name: 'actual_points', type: 'FLOAT64' },
  { name: 'line_value', type: 'FLOAT64' },
  { name: 'recommendation', type: 'STRING' },
  { name: 'absolute_error', type: 'FLOAT64' },
  { name: 'signed_error', type: 'FLOAT64' },
  { name: 'prediction_correct', type: 'BOOL' },
  { name: 'graded_at', type: 'TIMESTAMP' },
];

export const PLAYER_PROP_PREDICTIONS_SCHEMA: ScenarioFieldSpec[] = [
  { name: 'prediction_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'game_date', type: 'DATE', mode: 'REQUIRED' },
  { name: 'game_id', type: 'STRING' },
  { name: 'player_lookup', type: 'STRING', mode: 'REQUIRED' },
  { name: 'system_id', type: 'STRING' },
  { name: 'predicted_points', type: 'FLOAT64' },
  { name: 'line_value', type: 'FLOAT64' },
  { name: 'recommendation', type: 'STRING' },
  { name: 'confidence_score', type: 'FLOAT64' },
  { name: 'is_active', type: 'BOOL' },
  { name: 'created_at', type: 'TIMESTAMP' },
];

export const PLAYER_GAME_SUMMARY_SCHEMA: ScenarioFieldSpec[] = [
  { name: 'game_date', type: 'DATE', mode: 'REQUIRED' },
  { name: 'game_id', type: 'STRING' },
  { name: 'player_lookup', type: 'STRING', mode: 'REQUIRED' },
  { name: 'team_abbr', type: 'STRING' },
  { name: 'points', type: 'INT64' },
  { name: 'minutes_played', type: 'FLOAT64' },
];

export const BOXSCORES_SCHEMA: ScenarioFieldSpec[] = [
  { name: 'game_id', type: 'STRING', mode: 'REQUIRED' },
  { name: 'game_date', type: 'DATE', mode: 'REQUIRED' },
  { name: 'player_lookup', type: 'STRING' },
  { name: 'team_abbr', type: 'STRING' },
  { name: 'points', type: 'INT64' },
  { name: 'rebounds', type: 'INT64' },
  { name: 'assists', type: 'INT64' },
  { name: 'loaded_at', type: 'TIMESTAMP' },
];

/** One graded prediction, all errors in tenths of a point so every aggregate is exact. */
export interface GradedPrediction {
  gameDate: string;
  gameId: string;
  predictedPoints: number;
  actualPoints: number;
  lineValue: number;
  recommendation: 'OVER' | 'UNDER' | 'PASS';
  predictionCorrect: boolean | null;
}

/**
 * The demo's BigQuery scenario section. Called by the demo workspace as (now, services, {project,
 * region}); only `now` and `options.project` matter here.
 */
export function buildDemoBigQuerySection(now: Date, _services?: unknown, options: DemoBigQueryOptions = {}): BigQueryScenarioSection {
  const project = options.project ?? DEMO_BIGQUERY_PROJECT;
  const includeBackfilled = options.includeBackfilledGrades ?? true;
  const nowMs = now.getTime();
  const accuracyRows: ScenarioRow[] = [];
  const predictionRows: ScenarioRow[] = [];
  const actualRows: ScenarioRow[] = [];

  for (const [date, counts] of Object.entries(DEMO_PREDICTION_COUNTS)) {
    const day = DEMO_GRADING_DAYS.find((d) => d.date === date);
    const graded = day ? gradeDay(day) : [];
    const players = playersFor(date, counts.players);
    // Jan 29 was graded hours before the backfill; the backfilled dates about 20 minutes before "now".
    const gradedAt = new Date(nowMs - (date === '2026-01-29' ? 5 * 3_600_000 : 20 * 60_000)).toISOString();
    const isBackfilledDate = (BACKFILLED_DATES as readonly string[]).includes(date);
    graded.forEach((prediction, index) => {
      const playerLookup = players[index]!;
      const gameId = prediction.gameId;
      actualRows.push({ game_date: date, game_id: gameId, player_lookup: playerLookup, team_abbr: gameId.slice(-3), points: prediction.actualPoints, minutes_played: 18 + ((index * 7) % 20) });
      if (!isBackfilledDate || includeBackfilled) {
        accuracyRows.push(gradedRow(prediction, playerLookup, gradedAt));
      }
    });
    predictionRows.push(...predictionsFor(date, counts.predictions, players, graded));
  }

  const boxscoreTime = new Date(nowMs - 25 * 60_000).toISOString();
  const boxscores: ScenarioRow[] = Array.from({ length: 34 }, (_, index) => ({
    game_id: '20260124_CLE_ORL',
    game_date: '2026-01-24',
    player_lookup: `${FIRST_NAMES[index % FIRST_NAMES.length]}${LAST_NAMES[(index * 3) % LAST_NAMES.length]}`,
    team_abbr: index % 2 === 0 ? 'CLE' : 'ORL',
    points: (index * 7) % 31,
    rebounds: (index * 5) % 13,
    assists: (index * 3) % 11,
    loaded_at: boxscoreTime,
  }));

  return {
    streamingBufferMinutes: 90,
    datasets: {
      [`${project}.nba_predictions`]: {
        location: 'US',
        tables: {
          prediction_accuracy: { schema: PREDICTION_ACCURACY_SCHEMA, rows: accuracyRows, description: 'One row per graded prediction.' },
          player_prop_predictions: { schema: PLAYER_PROP_PREDICTIONS_SCHEMA, rows: predictionRows, description: 'Every system\'s player points predictions.' },
        },
      },
      [`${project}.nba_analytics`]: {
        location: 'US',
        tables: { player_game_summary: { schema: PLAYER_GAME_SUMMARY_SCHEMA, rows: actualRows } },
      },
      [`${project}.nba_raw`]: {
        location: 'US',
        tables: { bdl_player_boxscores: { schema: BOXSCORES_SCHEMA, streamedRows: boxscores, streamedMinutesAgo: 25 } },
      },
    },
  };
}

function gradedRow(prediction: GradedPrediction, playerLookup: string, gradedAt: string): ScenarioRow {
  const errorTenths = Math.round(prediction.predictedPoints * 10) - prediction.actualPoints * 10;
  return {
    game_date: prediction.gameDate,
    player_lookup: playerLookup,
    game_id: prediction.gameId,
    system_id: GRADED_SYSTEM_ID,
    predicted_points: prediction.predictedPoints,
    actual_points: prediction.actualPoints,
    line_value: prediction.lineValue,
    recommendation: prediction.recommendation,
    absolute_error: Math.abs(errorTenths) / 10,
    signed_error: errorTenths / 10,
    prediction_correct: prediction.predictionCorrect,
    graded_at: gradedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic generation.

function seededRandom(seedText: string): () => number {
  let seed = 2166136261;
  for (const char of seedText) seed = Math.imul(seed ^ char.charCodeAt(0), 16777619) >>> 0;
  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function playersFor(date: string, count: number): string[] {
  const all = FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => `${first}${last}`));
  return shuffled(all, seededRandom(`players:${date}`)).slice(0, count);
}

/** True when `total / count` rounds (to 2 decimals) to `target`, with a margin against float noise. */
function roundsTo(totalTenths: number, count: number, target: number): boolean {
  return Math.abs(totalTenths / 10 / count - target) < 0.0049;
}

/**
 * Graded predictions for one day whose aggregates are exactly the day's MAE, bias and accuracy.
 * Errors are whole tenths of a point (predictions have one decimal, points are integers): choose sums of
 * absolute and signed errors that round to the targets, then nudge individual errors until they match.
 */
export function gradeDay(day: DemoGradingDay): GradedPrediction[] {
  const random = seededRandom(`grades:${day.date}`);
  const n = day.graded;
  // Magnitudes of at least 0.6 so a wrong OVER/UNDER call always has room for a line between prediction and actual.
  const magnitudes = Array.from({ length: n }, () => Math.max(6, Math.round(day.mae * 10 * (0.15 + 1.7 * random()))));
  const positiveShare = (1 + day.bias / day.mae) / 2;
  const positive = Array.from({ length: n }, (_, i) => (i === 0 ? true : i === 1 ? false : random() < positiveShare));

  // Target sums (tenths): |e| sums to A, e sums to S, positives sum to (A + S) / 2, so A + S must be even.
  const candidates: Array<[number, number]> = [];
  const baseAbs = Math.round(day.mae * 10 * n);
  const baseSigned = Math.round(day.bias * 10 * n);
  for (const [da, ds] of [[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [2, 0], [0, 2], [-2, 0], [0, -2]] as const) {
    candidates.push([baseAbs + da, baseSigned + ds]);
  }
  const target = candidates.find(([a, s]) => (a + s) % 2 === 0 && roundsTo(a, n, day.mae) && roundsTo(s, n, day.bias));
  if (!target) throw new Error(`demo seed: no exact error sums for ${day.date}`);
  const [absoluteTarget, signedTarget] = target;
  const positiveTarget = (absoluteTarget + signedTarget) / 2;
  const negativeTarget = absoluteTarget - positiveTarget;
  const adjust = (wantPositive: boolean, goal: number): void => {
    const indices = magnitudes.map((_, i) => i).filter((i) => positive[i] === wantPositive);
    let sum = indices.reduce((total, i) => total + magnitudes[i]!, 0);
    for (let step = 0; sum !== goal && step < 1_000_000; step++) {
      const i = indices[step % indices.length]!;
      if (sum < goal) {
        magnitudes[i]! += 1;
        sum += 1;
      } else if (magnitudes[i]! > 6) {
        magnitudes[i]! -= 1;
        sum -= 1;
      }
    }
    if (sum !== goal) throw new Error(`demo seed: could not reach error sum ${goal} for ${day.date}`);
  };
  adjust(true, positiveTarget);
  adjust(false, negativeTarget);

  // Which rows were PASS (not graded for accuracy) and which OVER/UNDER calls were right.
  const order = shuffled(Array.from({ length: n }, (_, i) => i), random);
  const decided = new Set(order.slice(0, day.decided));
  const correct = new Set(order.slice(0, day.correct));
  const matchups = shuffled(
    Array.from({ length: TEAMS.length / 2 }, (_, i) => `${day.date.replace(/-/g, '')}_${TEAMS[i]}_${TEAMS[TEAMS.length - 1 - i]}`),
    random,
  );

  return magnitudes.map((magnitude, i) => {
    const errorTenths = positive[i] ? magnitude : -magnitude;
    // Actual points: an integer high enough that the prediction stays positive.
    const actual = Math.max(Math.ceil(magnitude / 10) + 2, 4 + Math.floor(random() * 30));
    const predictedTenths = actual * 10 + errorTenths;
    let recommendation: GradedPrediction['recommendation'];
    let line: number;
    let wasCorrect: boolean | null;
    if (!decided.has(i)) {
      recommendation = 'PASS';
      line = Math.floor(predictedTenths / 10) + 0.5;
      wasCorrect = null;
    } else if (correct.has(i)) {
      // Line on the far side of the actual: the call (toward the prediction) wins.
      recommendation = errorTenths > 0 ? 'OVER' : 'UNDER';
      line = errorTenths > 0 ? actual - 0.5 : actual + 0.5;
      wasCorrect = true;
    } else {
      // Line between actual and prediction: the call loses.
      recommendation = errorTenths > 0 ? 'OVER' : 'UNDER';
      line = errorTenths > 0 ? actual + 0.5 : actual - 0.5;
      wasCorrect = false;
    }
    const matchup = matchups[i % matchups.length]!;
    return {
      gameDate: day.date,
      gameId: matchup,
      predictedPoints: predictedTenths / 10,
      actualPoints: actual,
      lineValue: line,
      recommendation,
      predictionCorrect: wasCorrect,
    };
  });
}

/**
 * `total` prediction rows over `players`: the graded catboost_v8 predictions first (active, one per
 * graded player), then every system's predictions round-robin; repeats of a player/system pair are
 * superseded re-predictions (is_active false), as when lines move during the day.
 */
function predictionsFor(date: string, total: number, players: readonly string[], graded: readonly GradedPrediction[]): ScenarioRow[] {
  const random = seededRandom(`predictions:${date}`);
  const rows: ScenarioRow[] = [];
  const seen = new Set<string>();
  const compactDate = date.replace(/-/g, '');
  const createdAt = (minutes: number): string => new Date(Date.parse(`${date}T15:00:00Z`) + minutes * 60_000).toISOString();
  graded.forEach((prediction, index) => {
    const player = players[index]!;
    seen.add(`${player}/${GRADED_SYSTEM_ID}`);
    rows.push({
      prediction_id: `${compactDate}-${GRADED_SYSTEM_ID}-${player}-0`,
      game_date: date,
      game_id: prediction.gameId,
      player_lookup: player,
      system_id: GRADED_SYSTEM_ID,
      predicted_points: prediction.predictedPoints,
      line_value: prediction.lineValue,
      recommendation: prediction.recommendation,
      confidence_score: Math.round((0.5 + random() * 0.45) * 100) / 100,
      is_active: true,
      created_at: createdAt(index % 240),
    });
  });
  const systems = [GRADED_SYSTEM_ID, ...OTHER_SYSTEMS];
  for (let k = 0; rows.length < total; k++) {
    const player = players[k % players.length]!;
    const system = systems[Math.floor(k / players.length) % systems.length]!;
    const key = `${player}/${system}`;
    const repeat = seen.has(key);
    seen.add(key);
    const predicted = Math.round((6 + random() * 28) * 10) / 10;
    const line = Math.floor(predicted + (random() - 0.5) * 6) + 0.5;
    const edge = predicted - line;
    rows.push({
      prediction_id: `${compactDate}-${system}-${player}-r${k}`,
      game_date: date,
      game_id: `${compactDate}_${TEAMS[k % TEAMS.length]}_${TEAMS[(k + 7) % TEAMS.length]}`,
      player_lookup: player,
      system_id: system,
      predicted_points: predicted,
      line_value: line,
      recommendation: Math.abs(edge) < 1 ? 'PASS' : edge > 0 ? 'OVER' : 'UNDER',
      confidence_score: Math.round((0.4 + random() * 0.5) * 100) / 100,
      is_active: !repeat,
      created_at: createdAt(k % 420),
    });
  }
  return rows;
}
