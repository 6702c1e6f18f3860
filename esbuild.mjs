// Builds the shipped bundles. The Google SDK lives in its own bundle (dist/sdk-run.js) that core
// loads on first use, so activating the extension or printing CLI usage never parses it.
import * as esbuild from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import { pruneFunctionsProtos, pruneLoggingProtos, pruneRunProtos } from './build/prune-run-protos.mjs';
import standaloneCode from 'ajv/dist/standalone/index.js';

const require = createRequire(import.meta.url);
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Imports of src/sdk/<name> stay external and resolve to dist/sdk-<name>.js at run time. */
const lazySdkPlugin = {
  name: 'lazy-sdk',
  setup(build) {
    build.onResolve({ filter: /(^|\/)sdk\/[a-z-]+$/ }, (args) => {
      if (args.importer.includes('/src/sdk/')) return undefined;
      const name = args.path.split('/').pop();
      return { path: `./sdk-${name}.js`, external: true };
    });
  },
};

/** The bin's `require('./main')` (src/cli/commands.ts) stays external and resolves to dist/cli-main.js at run time. */
const cliMainPlugin = {
  name: 'cli-main',
  setup(build) {
    build.onResolve({ filter: /^\.\/main$/ }, (args) => (args.importer.endsWith('src/cli/commands.ts') ? { path: './cli-main.js', external: true } : undefined));
  },
};

/** Replaces src/core/config-validator.ts with Ajv's precompiled validator for the same schema and options. */
const precompiledValidatorPlugin = {
  name: 'precompiled-config-validator',
  setup(build) {
    build.onLoad({ filter: /src\/core\/config-validator\.ts$/ }, () => {
      const schema = JSON.parse(readFileSync('schema/cloud-run-drift.schema.json', 'utf8'));
      const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, code: { source: true, esm: false } });
      const validate = ajv.compile(schema);
      const code = standaloneCode(ajv, validate);
      return {
        contents: `const validate = (() => { const module = { exports: {} }; const exports = module.exports; ${code}; return module.exports; })();\nexport function configValidator() { return validate; }\n`,
        loader: 'js',
        resolveDir: 'src/core',
      };
    });
  },
};

/** The Run and Functions bundles' `google-gax` is the REST-only subset in src/sdk/gax-rest-only.ts (no gRPC stack). */
const restOnlyGaxPlugin = {
  name: 'rest-only-gax',
  setup(build) {
    build.onResolve({ filter: /^google-gax$/ }, () => ({ path: new URL('./src/sdk/gax-rest-only.ts', import.meta.url).pathname }));
    // Not in google-gax's `exports` map, but a plain file of the installed package.
    build.onResolve({ filter: /^google-gax\/build\/src\/util$/ }, () => ({ path: join(dirname(require.resolve('google-gax/fallback')), 'util.js') }));
  },
};

/** The Run bundle's protos.json holds only what the Services, Revisions, Jobs and Executions clients use (build/prune-run-protos.mjs). */
const prunedRunProtosPlugin = {
  name: 'pruned-run-protos',
  setup(build) {
    build.onLoad({ filter: /@google-cloud\/run\/build\/protos\/protos\.json$/ }, (args) => ({
      contents: JSON.stringify(pruneRunProtos(JSON.parse(readFileSync(args.path, 'utf8')))),
      loader: 'json',
    }));
  },
};

/** The Functions bundle's protos.json holds only FunctionService v2 (build/prune-run-protos.mjs). */
const prunedFunctionsProtosPlugin = {
  name: 'pruned-functions-protos',
  setup(build) {
    build.onLoad({ filter: /@google-cloud\/functions\/build\/protos\/protos\.json$/ }, (args) => ({
      contents: JSON.stringify(pruneFunctionsProtos(JSON.parse(readFileSync(args.path, 'utf8')))),
      loader: 'json',
    }));
  },
};

/**
 * google-gax's index exports IamProtos and LocationProtos, protobufjs static code for the IAM and
 * Locations APIs (about 310 KB minified) that no client we bundle uses (their IamClient and
 * LocationsClient read the .json files); each bundle gets an empty module in their place.
 */
const unusedGaxProtosPlugin = {
  name: 'unused-gax-protos',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/protos\/(iam_service|locations)$/ }, (args) =>
      /google-gax[\\/]build[\\/]src$/.test(args.resolveDir) ? { path: args.path, namespace: 'unused-gax-protos' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'unused-gax-protos' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * proto3-json-serializer recognizes a 64-bit integer by its class's name (`constructor.name ===
 * 'Long'`), which minifying renames: the bundled clients then could not send a request holding one
 * (e.g. a service's generation). The class keeps its name in every bundle.
 */
const longClassNamePlugin = {
  name: 'long-class-name',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]long[\\/]umd[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const anchor = 'Object.defineProperty(Long.prototype, "__isLong__", {';
      if (!source.includes(anchor)) throw new Error(`${args.path} changed: update longClassNamePlugin in esbuild.mjs`);
      return { contents: source.replace(anchor, `Object.defineProperty(Long, "name", { value: "Long" });\n    ${anchor}`), loader: 'js' };
    });
  },
};

/** The Logging bundle's protos.json holds only LoggingServiceV2 (build/prune-run-protos.mjs). */
const prunedLoggingProtosPlugin = {
  name: 'pruned-logging-protos',
  setup(build) {
    build.onLoad({ filter: /@google-cloud\/logging-api\/build\/protos\/protos\.json$/ }, (args) => ({
      contents: JSON.stringify(pruneLoggingProtos(JSON.parse(readFileSync(args.path, 'utf8')))),
      loader: 'json',
    }));
  },
};

/**
 * Every bundle is ASCII: a comment esbuild keeps (from our sources or a dependency's, a license at
 * the end) may hold a character such as `…`, and one is enough for V8 to hold the whole source as
 * a string of two bytes a character. That doubled each bundle's string in memory and made Node's
 * decoding of dist/cli-main.js take 8-11 ms instead of 2.5-5.5 at every CLI start. esbuild escapes
 * such characters in code (`charset: 'ascii'`), but not in comments, nor where an escape would
 * change a value (a tagged template's raw text). Those in comments are written here as `\uXXXX`,
 * which means the same to a reader; any other fails the build.
 */
const asciiOutputPlugin = {
  name: 'ascii-output',
  setup(build) {
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      if (result.errors.length > 0) return;
      for (const file of Object.keys(result.metafile.outputs).filter((name) => name.endsWith('.js'))) {
        const text = readFileSync(file, 'utf8');
        // eslint-disable-next-line no-control-regex
        const nonAscii = /[^\x00-\x7f]/g;
        if (!nonAscii.test(text)) continue;
        const rewritten = text.replace(nonAscii, (character, at) => {
          if (!inComment(text, at)) throw new Error(`${file}: a character outside a comment is not ASCII (${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}); escape it in its source`);
          return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
        });
        writeFileSync(file, rewritten);
      }
    });
  },
};

/**
 * Whether `at` lies in a comment of esbuild's output: after `//` on its line, or after a `/*` not
 * yet closed. (Strings and template literals cannot mislead it where it is asked: they hold no
 * character that is not ASCII.)
 */
function inComment(text, at) {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return text.slice(lineStart, at).includes('//') || text.lastIndexOf('/*', at) > text.lastIndexOf('*/', at);
}

/**
 * `--watch` output for people and for the problem matcher of .vscode/tasks.json: one `[watch] build
 * started` / `[watch] build finished` pair around each round of rebuilds (however many bundles it
 * touches), and every error as `✘ [ERROR] message` followed by `    file:line:column:`.
 */
let building = 0;
const watchLogPlugin = {
  name: 'watch-log',
  setup(build) {
    build.onStart(() => {
      if (building++ === 0) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      const report = (severity, { text, location }) => {
        console.error(`✘ [${severity}] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column + 1}:`);
      };
      for (const message of result.errors) report('ERROR', message);
      for (const message of result.warnings) report('WARNING', message);
      if (--building === 0) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Node 22 is the declared minimum, and the CLI's bin refuses its commands below it (src/cli/bin.ts);
  // the bundles are built for Node 20 so that the bin itself runs there to say so.
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  outdir: 'dist',
  charset: 'ascii',
};

const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'], plugins: [lazySdkPlugin, precompiledValidatorPlugin] },
  // The bin (dist/cli.js) answers help and --version itself; the commands are in dist/cli-main.js, loaded for the others.
  // The editor's git helper process (src/core/git/helper/client.ts).
  { ...common, entryPoints: { 'git-helper': 'src/core/git/helper/main.ts' } },
  { ...common, entryPoints: { cli: 'src/cli/bin.ts' }, plugins: [cliMainPlugin], banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: { 'cli-main': 'src/cli/main.ts' }, plugins: [lazySdkPlugin, precompiledValidatorPlugin] },
  // The SDK bundles are minified even in development: they are third-party code and size dominates load time.
  { ...common, entryPoints: { 'sdk-run': 'src/sdk/run.ts' }, minify: true, sourcemap: false, plugins: [restOnlyGaxPlugin, unusedGaxProtosPlugin, longClassNamePlugin, prunedRunProtosPlugin, prunedFunctionsProtosPlugin] },
  { ...common, entryPoints: { 'sdk-logging': 'src/sdk/logging.ts' }, minify: true, sourcemap: false, plugins: [unusedGaxProtosPlugin, longClassNamePlugin, prunedLoggingProtosPlugin] },
  { ...common, entryPoints: { 'sdk-bigquery': 'src/sdk/bigquery.ts' }, minify: true, sourcemap: false },
  // Its libraries' Headers is ours and their FormData node-fetch's, not Node's globals (src/sdk/fetchGlobals.ts says why).
  { ...common, entryPoints: { 'sdk-auth': 'src/sdk/auth.ts' }, inject: ['src/sdk/fetchGlobals.ts'], minify: true, sourcemap: false },
];

const selected = (only ? builds.filter((b) => only.split(',').some((name) => name in b.entryPoints)) : builds).map((options) => ({ ...options, plugins: [...(options.plugins ?? []), asciiOutputPlugin] }));
if (watch) {
  // esbuild's own log would repeat the errors watchLogPlugin prints. All bundles start together, so
  // the first `[watch] build finished` comes once every one of them is built.
  const contexts = await Promise.all(selected.map((options) => esbuild.context({ ...options, logLevel: 'silent', plugins: [...(options.plugins ?? []), watchLogPlugin] })));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(selected.map((options) => esbuild.build(options)));
}
