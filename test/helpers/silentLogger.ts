// A Logger that writes nothing, for tests of the extension's logic outside VS Code.
import type { Logger } from '../../src/extension/platform/logger';

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  show: () => undefined,
};
