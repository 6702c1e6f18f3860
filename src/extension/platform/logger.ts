// Logging to the "Cloud Run Drift" LogOutputChannel with a component prefix per caller, e.g.
// `[refresh] 13 services in 812 ms`. Only a type import of `vscode`, so modules that log stay
// unit-testable. We never hold credentials, but messages from auth libraries are redacted anyway
// in case one echoes a token.

import type { LogOutputChannel } from 'vscode';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** Logs the message and, when given, the error's stack or text. */
  error(message: string, err?: unknown): void;
  /** A logger whose lines carry `[component]`. */
  child(component: string): Logger;
  show(): void;
}

const SECRET_PATTERNS: RegExp[] = [
  /(authorization:\s*bearer\s+)[^\s"']+/gi,
  /(bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi,
  /((?:access|refresh|id)_token["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
  /(client_secret["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
  /(private_key["']?\s*[:=]\s*["']?)[^"']+/gi,
  /\bya29\.[A-Za-z0-9._-]+/g,
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, (_m, keep?: string) => (typeof keep === 'string' ? `${keep}<redacted>` : '<redacted>'));
  return out;
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

export class ChannelLogger implements Logger {
  constructor(
    private readonly channel: LogOutputChannel,
    private readonly component?: string,
  ) {}

  private format(message: string): string {
    return redactSecrets(this.component ? `[${this.component}] ${message}` : message);
  }

  trace(message: string): void {
    this.channel.trace(this.format(message));
  }

  debug(message: string): void {
    this.channel.debug(this.format(message));
  }

  info(message: string): void {
    this.channel.info(this.format(message));
  }

  warn(message: string): void {
    this.channel.warn(this.format(message));
  }

  error(message: string, err?: unknown): void {
    this.channel.error(this.format(err === undefined ? message : `${message}\n${describeError(err)}`));
  }

  child(component: string): Logger {
    return new ChannelLogger(this.channel, this.component ? `${this.component}/${component}` : component);
  }

  show(): void {
    this.channel.show(true);
  }
}
