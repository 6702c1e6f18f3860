// Log tailing core: one import for the CLI and the extension's log view. No vscode import anywhere below.
//
//   filter.ts    composeFilter(query) and its parts: scope, saved filter, quoted free text, raw query, severity, window
//   source.ts    createLogSource(options): the Cloud Logging API (gRPC or REST) behind a small interface
//   stream.ts    openLogStream(source, options): history then live, every entry once and in order; events
//   buffer.ts    LogBuffer: the view's bounded model (ring, pause, search, export, status line)
//   histogram.ts entries over time per severity band, over round-sized buckets
//   format.ts    formatLogLine / terminalLogLine / cliJson: the .log export, the CLI's output
//   links.ts     stack-trace file:line references, trace and Logs Explorer links
//   entry.ts     LogEntry, the normalized entry every part speaks
//
// Typical use (a view):
//   const source = await createLogSource({ projects: [service.project], endpoint: config.endpoints.logging });
//   const filter = composeFilter({ scope: { kind: 'services', services: [{ name, region }] }, minSeverity: 'ERROR' });
//   const stream = openLogStream(source, { filter, since: parseSince('1h'), historyLimit: buffer.capacity });
//   const buffer = new LogBuffer({ capacity: 10_000 });
//   stream.on((event) => buffer.applyEvent(event));
//   stream.start();
//   … later: await stream.stop(); await source.close();
export * from './buffer';
export * from './entry';
export * from './filter';
export * from './format';
export * from './histogram';
export * from './links';
export * from './source';
export * from './stream';
export * from './streamApi';
