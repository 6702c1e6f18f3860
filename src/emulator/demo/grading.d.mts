// Types of grading.mjs (plain JavaScript, shipped as is into the demo workspace).

export declare const USAGE: string;

export declare class UsageError extends Error {}

export declare class BigQueryError extends Error {
  constructor(status: number, message: string, reason?: string);
  readonly status: number;
  readonly reason: string | undefined;
}

export interface GradingOptions {
  startDate: string;
  endDate: string;
  system: string;
  project: string;
  /** Every date from startDate to endDate. */
  dates: string[];
}

export declare function parseArguments(argv: readonly string[]): GradingOptions | 'help';

export interface BigQueryRequest {
  method: 'GET' | 'POST';
  /** Under /bigquery/v2, e.g. /projects/p/queries. */
  path: string;
  body?: unknown;
}

export interface BigQueryAnswer {
  status: number;
  json: unknown;
}

export type DateResult =
  | { status: 'graded'; date: string; graded: number; mae: number; bias: number; accuracy: number }
  | { status: 'empty'; date: string }
  | { status: 'conflict'; date: string; buffered: string; message: string };

export declare function gradeDate(options: { project: string; system: string; date: string; gradedAt: string }): Generator<BigQueryRequest, DateResult, unknown>;

export declare function driveSync<T>(requests: Generator<BigQueryRequest, T, unknown>, send: (request: BigQueryRequest) => BigQueryAnswer): T;

export declare function driveAsync<T>(requests: Generator<BigQueryRequest, T, unknown>, send: (request: BigQueryRequest) => Promise<BigQueryAnswer>): Promise<T>;

export declare function formatSigned(value: number): string;

export declare function describeResult(result: DateResult, system: string): string;

export declare function describeFailure(date: string, message: string): string;
