// The contract between the emulator's HTTP/control core (server.ts) and each emulated API module.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultRegistry } from './faults';

export interface EmulatedApiModule {
  /** Handles a REST request; resolves false when the path is not this module's (the server tries the next one). */
  handleHttp(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<boolean>;
  /**
   * Handles a control-API action (POST /control/<action> with a JSON body). Resolves undefined when the
   * action is not this module's. Throws ScenarioError for a malformed payload (answered as HTTP 400).
   */
  handleControl(action: string, payload: unknown): Promise<unknown | undefined>;
  /** Seeds state from this module's scenario section (undefined when absent). Throws ScenarioError on malformed input. */
  load(section: unknown): void;
  /** Back to the state `load` produced (POST /control/reset). */
  reset(): void;
  /** JSON-serializable state for GET /control/state. */
  snapshot(): unknown;
  /** Starts any listener of its own (the Logging gRPC server), on host 127.0.0.1. Port 0 picks a free port. */
  start?(host: string, port: number): Promise<{ port: number }>;
  close(): Promise<void>;
}

export interface ApiModuleContext {
  faults: FaultRegistry;
  /** Milliseconds since the epoch; tests may freeze or shift time through the scenario's "now". */
  now(): number;
  /** Calls `listener` whenever the clock is moved (control `clock`, `reset`, `load`). */
  onClockChange?(listener: () => void): void;
  /** Appends log entries (control `logs` shape) to the Logging module, when it runs. */
  writeLogs?(entries: readonly unknown[]): void;
  /** The BigQuery module's REST methods, called in-process (by Cloud Run job executions), when it runs. */
  bigquery?: InProcessBigQuery;
}

export interface InProcessBigQuery {
  /** Resolves once `request` can answer (the store opens asynchronously after a load or reset). */
  ready(): Promise<void>;
  /** A BigQuery REST call (path under /bigquery/v2, with its query string): status and JSON body, synchronously. */
  request(method: string, path: string, body?: unknown): { status: number; json: unknown };
}

/** A malformed scenario or control payload: names the JSON path and what was expected. */
export class ScenarioError extends Error {
  constructor(
    readonly jsonPath: string,
    readonly expected: string,
  ) {
    super(`${jsonPath}: expected ${expected}`);
    this.name = 'ScenarioError';
  }
}
