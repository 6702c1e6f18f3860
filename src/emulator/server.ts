// The local Google Cloud emulator: one HTTP server on 127.0.0.1 serving the Cloud Run Admin API v2,
// the Cloud Functions v2 API, the control API (/control/*) and, through API modules, BigQuery REST; the Logging module adds
// its own gRPC listener. See scenario.ts for the scenario document and control.ts for the control API.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { ApiModuleContext, EmulatedApiModule, InProcessBigQuery } from './api';
import { createBigQueryApi, type BigQueryApiModule } from './bigquery/api';
import {
  controlErrorResponse,
  dispatchControl,
  EmulatorClock,
  handleControlHttp,
  sendGoogleError,
  type ControlContext,
  type NamedModule,
} from './control';
import { FaultRegistry } from './faults';
import { createFunctionsApi } from './functions-api';
import { createLoggingApi, type LoggingApiModule } from './logging/api';
import { createRunApi } from './run-api';
import type { RunState } from './run-state';
import { isJsonObject, locateScenarioError, parseScenario, parseScenarioText, readScenarioText, type Scenario } from './scenario';

export const EMULATOR_HOST = '127.0.0.1';
export const DEFAULT_HTTP_PORT = 8123;
/** Request bodies beyond this are refused: BigQuery insertAll batches are the largest legitimate ones. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export type ApiModuleFactory = (ctx: ApiModuleContext) => EmulatedApiModule;

export interface ModuleSelection {
  /** Default: the built-in Logging module. `false` leaves it out (then `grpcAddress` is ''). */
  logging?: ApiModuleFactory | false;
  /** Default: the built-in BigQuery module. `false` leaves it out. */
  bigquery?: ApiModuleFactory | false;
  /** Further modules, asked after the built-in ones; each is loaded with the scenario section of its name. */
  extra?: Record<string, ApiModuleFactory>;
}

export interface StartOptions {
  /**
   * A scenario object, or the path of a scenario JSON file. Any JSON object is accepted: it is validated
   * at start and a ScenarioError names the JSON path of the first problem (`Scenario` documents the shape).
   */
  scenario: Scenario | Record<string, unknown> | string;
  /** HTTP port; 0 picks a free one. Default 8123. */
  port?: number;
  /** Port of the Logging gRPC listener; 0 (the default) picks a free one. */
  grpcPort?: number;
  modules?: ModuleSelection;
}

export interface RunningEmulator {
  /** http://127.0.0.1:PORT: Cloud Run REST, BigQuery REST and /control/*. */
  httpUrl: string;
  httpPort: number;
  /** 127.0.0.1:PORT of the Logging gRPC server ('' when no module listens for gRPC). */
  grpcAddress: string;
  faults: FaultRegistry;
  clock: EmulatorClock;
  /** The Cloud Run state, for assertions; change it through `control` like any client would. */
  run: RunState;
  /**
   * In-process equivalent of POST /control/<action>: resolves to the same JSON, rejects with the
   * ScenarioError (400) or ControlError (its status) the HTTP call would have answered with.
   */
  control(action: string, payload?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startEmulator(options: StartOptions): Promise<RunningEmulator> {
  const faults = new FaultRegistry();
  const clock = new EmulatorClock();
  // Modules write logs (Cloud Run job executions) through the Logging module, once it exists.
  let logSink: ((entries: readonly unknown[]) => void) | undefined;
  // Cloud Run job executions run their work (the demo's grading backfill) against the BigQuery module, once it exists.
  let bigquery: InProcessBigQuery | undefined;
  const apiContext: ApiModuleContext = {
    faults,
    now: () => clock.now(),
    onClockChange: (listener) => clock.onChange(listener),
    writeLogs: (entries) => logSink?.(entries),
    bigquery: {
      ready: () => (bigquery ? bigquery.ready() : Promise.resolve()),
      request: (method, path, body) => bigquery?.request(method, path, body) ?? { status: 501, json: { error: { code: 501, message: 'This emulator runs without its BigQuery module.' } } },
    },
  };

  const runApi = createRunApi(apiContext);
  // Functions run on Cloud Run services: the module reads and deploys through the Run state, and loads after it.
  const modules: NamedModule[] = [{ name: 'run', module: runApi }, { name: 'functions', module: createFunctionsApi(apiContext, runApi.state) }];
  const selection = options.modules ?? {};
  if (selection.logging !== false) {
    const logging = (selection.logging ?? createLoggingApi)(apiContext);
    if ('appendEntries' in logging && typeof logging.appendEntries === 'function') logSink = (entries) => (logging as LoggingApiModule).appendEntries(entries);
    modules.push({ name: 'logging', module: logging });
  }
  if (selection.bigquery !== false) {
    const module = (selection.bigquery ?? createBigQueryApi)(apiContext);
    if ('inProcess' in module) bigquery = (module as BigQueryApiModule).inProcess;
    modules.push({ name: 'bigquery', module });
  }
  for (const [name, factory] of Object.entries(selection.extra ?? {})) modules.push({ name, module: factory(apiContext) });
  const extraSections = Object.keys(selection.extra ?? {});

  const closeModules = async (): Promise<void> => {
    await Promise.allSettled(modules.map(({ module }) => module.close()));
  };

  let server: http.Server | undefined;
  try {
    let rawScenario = loadScenario(options.scenario, extraSections);
    const applyClock = (): void => {
      if (typeof rawScenario.now === 'string') clock.setNow(Date.parse(rawScenario.now));
      else clock.useRealTime();
    };
    applyClock();
    loadModules(options.scenario, rawScenario, modules);

    const controlContext: ControlContext = {
      faults,
      clock,
      modules,
      reset() {
        faults.clear();
        applyClock();
        for (const { module } of modules) module.reset();
      },
      load(scenario: unknown) {
        parseScenario(scenario, extraSections);
        const next = JSON.parse(JSON.stringify(scenario)) as Record<string, unknown>;
        try {
          for (const { name, module } of modules) module.load(next[name]);
        } catch (err) {
          // All or nothing: put every module back on the scenario it had.
          for (const { name, module } of modules) module.load(rawScenario[name]);
          throw err;
        }
        rawScenario = next;
        faults.clear();
        applyClock();
      },
    };

    let grpcAddress = '';
    for (const { module } of modules) {
      if (!module.start) continue;
      const { port } = await module.start(EMULATOR_HOST, options.grpcPort ?? 0);
      if (!grpcAddress) grpcAddress = `${EMULATOR_HOST}:${port}`;
    }

    const httpServer = http.createServer((req, res) => {
      void answer(controlContext, req, res);
    });
    server = httpServer;
    // Clients keep connections alive between calls; closing must not wait for them to go idle.
    httpServer.keepAliveTimeout = 5_000;
    const requestedPort = options.port ?? DEFAULT_HTTP_PORT;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        if (err.code === 'EADDRINUSE') {
          reject(Object.assign(new Error(`Port ${requestedPort} on ${EMULATOR_HOST} is already in use; choose another with --port (0 picks a free one).`), { code: err.code }));
        } else {
          reject(err);
        }
      };
      httpServer.once('error', onError);
      httpServer.listen({ host: EMULATOR_HOST, port: requestedPort, backlog: 2048 }, () => {
        httpServer.off('error', onError);
        resolve();
      });
    });
    const httpPort = (httpServer.address() as AddressInfo).port;

    let closing: Promise<void> | undefined;
    return {
      httpUrl: `http://${EMULATOR_HOST}:${httpPort}`,
      httpPort,
      grpcAddress,
      faults,
      clock,
      run: runApi.state,
      async control(action: string, payload?: unknown): Promise<unknown> {
        const result = await dispatchControl(controlContext, action, payload ?? {});
        // Same shape the HTTP answer has: a JSON round trip drops undefined and copies state.
        return JSON.parse(JSON.stringify(isJsonObject(result) || Array.isArray(result) ? result : { result })) as unknown;
      },
      close(): Promise<void> {
        closing ??= (async () => {
          await new Promise<void>((resolve) => {
            httpServer.close(() => resolve());
            httpServer.closeAllConnections();
          });
          await closeModules();
        })();
        return closing;
      },
    };
  } catch (err) {
    if (server?.listening) {
      server.closeAllConnections();
      server.close();
    }
    await closeModules();
    throw err;
  }
}

/** Validates the top level and returns the raw JSON, whose sections go to the modules' `load`. */
function loadScenario(source: StartOptions['scenario'], extraSections: readonly string[]): Record<string, unknown> {
  if (typeof source === 'string') {
    const file = path.resolve(source);
    const text = readScenarioText(file);
    parseScenarioText(text, file, extraSections);
    return JSON.parse(text) as Record<string, unknown>;
  }
  parseScenario(source, extraSections);
  // A copy, so a caller mutating its object later does not change what reset restores.
  return JSON.parse(JSON.stringify(source)) as Record<string, unknown>;
}

function loadModules(source: StartOptions['scenario'], rawScenario: Record<string, unknown>, modules: readonly NamedModule[]): void {
  for (const { name, module } of modules) {
    try {
      module.load(rawScenario[name]);
    } catch (err) {
      if (typeof source !== 'string') throw err;
      const file = path.resolve(source);
      throw locateScenarioError(err, readScenarioText(file), file);
    }
  }
}

async function answer(ctx: ControlContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const body = await readBody(req);
    if (body === null) {
      sendGoogleError(res, 413, `Request body larger than ${MAX_BODY_BYTES} bytes.`);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${EMULATOR_HOST}`);
    if (url.pathname.startsWith('/control/')) {
      await handleControlHttp(ctx, req, res, url, body);
      return;
    }
    for (const { module } of ctx.modules) {
      if (await module.handleHttp(req, res, url, body)) return;
    }
    sendGoogleError(res, 404, `The emulator serves no API at ${req.method ?? '?'} ${url.pathname} (Cloud Run v2 under /v2/projects/.../services and .../jobs, Cloud Functions v2 under /v2/projects/.../functions, BigQuery under /bigquery/v2/, control under /control/).`);
  } catch (err) {
    console.error(`[emulator] ${req.method ?? '?'} ${req.url ?? ''} failed:`, err);
    if (!res.headersSent) {
      const { httpStatus, message } = controlErrorResponse(err);
      sendGoogleError(res, httpStatus, message);
    } else {
      res.destroy();
    }
  }
}

/** The whole request body, or null when it exceeds MAX_BODY_BYTES. */
function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

