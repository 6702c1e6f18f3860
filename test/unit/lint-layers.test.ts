// The layer rules of eslint.config.mjs, proven on deliberately bad imports: the repository's own
// lint configuration, run on text placed (virtually) in each layer.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../..');

// The type-aware rules need files on disk in a TypeScript project; the layer rule does not.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parserOptions: { projectService: false } },
      rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
    },
  ],
});

async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('lint: the layers', () => {
  it('core may not import vscode', async () => {
    const problems = await layerProblems('src/core/probe.ts', "import * as vscode from 'vscode';\nexport const probe = vscode;\n");
    assert.equal(problems.length, 1, 'a core file importing vscode fails lint');
    assert.match(problems[0]!, /keep `vscode` in src\/extension/);
  });

  it('the CLI may not import vscode or the emulator', async () => {
    assert.equal((await layerProblems('src/cli/probe.ts', "import { window } from 'vscode';\nexport const probe = window;\n")).length, 1);
    assert.equal((await layerProblems('src/cli/probe.ts', "import { startEmulator } from '../emulator/api';\nexport const probe = startEmulator;\n")).length, 1);
  });

  it('core may not import the emulator', async () => {
    const problems = await layerProblems('src/core/deploy/probe.ts', "import { buildDemoWorkspace } from '../../emulator/demo/workspace';\nexport const probe = buildDemoWorkspace;\n");
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /does not ship/);
  });

  it('the extension may not import the emulator or the CLI', async () => {
    assert.equal((await layerProblems('src/extension/probe.ts', "import { startEmulator } from '../emulator/api';\nexport const probe = startEmulator;\n")).length, 1);
    const cli = await layerProblems('src/extension/commands/probe.ts', "import { main } from '../../cli/main';\nexport const probe = main;\n");
    assert.equal(cli.length, 1);
    assert.match(cli[0]!, /uses core, not the CLI/);
  });

  it('imports within the layers pass', async () => {
    assert.deepEqual(await layerProblems('src/core/probe.ts', "import { short } from './verdict';\nexport const probe = short;\n"), []);
    assert.deepEqual(await layerProblems('src/extension/probe.ts', "import * as vscode from 'vscode';\nimport { short } from '../core/verdict';\nexport const probe = [vscode, short];\n"), []);
    assert.deepEqual(await layerProblems('test/unit/probe.ts', "import { startEmulator } from '../../src/emulator/api';\nexport const probe = startEmulator;\n"), []);
  });
});
