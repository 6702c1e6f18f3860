// Builds the shipped bundles. The Google SDK lives in its own bundle (dist/sdk-run.js) that core
// loads on first use, so activating the extension or printing CLI usage never parses it.
import * as esbuild from 'esbuild';

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

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  outdir: 'dist',
};

const builds = [
  { ...common, entryPoints: { extension: 'src/extension/extension.ts' }, external: ['vscode'], plugins: [lazySdkPlugin] },
  { ...common, entryPoints: { cli: 'src/cli/main.ts' }, plugins: [lazySdkPlugin], banner: { js: '#!/usr/bin/env node' } },
  // The SDK bundles are minified even in development: they are third-party code and size dominates load time.
  { ...common, entryPoints: { 'sdk-run': 'src/sdk/run.ts' }, minify: true, sourcemap: false },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
