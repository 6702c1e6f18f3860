// `npm run emulator -- --scenario FILE [--port N] [--grpc-port N]`: runs the local Google Cloud
// emulator until SIGINT/SIGTERM. Exit codes: 0 clean stop, 2 bad arguments or scenario, 1 other failure.
import { ScenarioError } from './api';
import { startEmulator, type RunningEmulator } from './server';

const USAGE = `Usage: npm run emulator -- --scenario FILE [--port N] [--grpc-port N]

  --scenario FILE   scenario JSON (Cloud Run services and revisions, log entries, BigQuery tables)
  --port N          HTTP port on 127.0.0.1 for Cloud Run, BigQuery and /control (default 8123, 0 = free port)
  --grpc-port N     Cloud Logging gRPC port on 127.0.0.1 (default 0 = free port)`;

class UsageError extends Error {}

interface Arguments {
  scenario: string;
  port: number;
  grpcPort: number;
}

function parseArguments(argv: readonly string[]): Arguments | 'help' {
  let scenario: string | undefined;
  let port = 8123;
  let grpcPort = 0;
  const portValue = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
      throw new UsageError(`${flag} expects a port number from 0 to 65535, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
    }
    return parsed;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inlineValue] = argv[i]!.startsWith('--') && argv[i]!.includes('=') ? argv[i]!.split(/=(.*)/s, 2) : [argv[i]!, undefined];
    const value = (): string | undefined => inlineValue ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--scenario':
        scenario = value();
        if (!scenario) throw new UsageError('--scenario expects a file path');
        break;
      case '--port':
        port = portValue('--port', value());
        break;
      case '--grpc-port':
        grpcPort = portValue('--grpc-port', value());
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (!scenario) throw new UsageError('--scenario FILE is required');
  return { scenario, port, grpcPort };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: Arguments | 'help';
  try {
    args = parseArguments(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`emulator: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ scenario: args.scenario, port: args.port, grpcPort: args.grpcPort });
  } catch (err) {
    if (err instanceof ScenarioError) {
      process.stderr.write(`emulator: invalid scenario: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }

  process.stdout.write(
    [
      'Cloud Run Drift emulator running',
      `  Cloud Run Admin API v2, BigQuery, control:  ${emulator.httpUrl}`,
      `  Cloud Logging gRPC:                         ${emulator.grpcAddress || '(not started)'}`,
      '  In cloud-run-drift.json:',
      `    "endpoints": ${JSON.stringify({ run: emulator.httpUrl, logging: emulator.grpcAddress || undefined, bigquery: emulator.httpUrl })}`,
      `  State: curl ${emulator.httpUrl}/control/state`,
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\nemulator: ${signal}, stopping\n`);
      emulator.close().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`emulator: error while stopping: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
