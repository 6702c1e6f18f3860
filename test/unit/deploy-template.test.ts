// Deploy command templates: validation, quoting in every context, refusals, and proof with a real
// bash that hostile values arrive literally and run nothing.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkTemplate, expandDeployCommand, shellQuote, TemplateError, validateTemplateValues, type TemplateValues } from '../../src/core/deploy/template';
import { vscodeVariables } from '../helpers/vscodeVariables';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const values = (extra: Partial<TemplateValues> = {}): TemplateValues => ({
  service: 'prediction-coordinator',
  commit: COMMIT,
  shortCommit: '0123456',
  project: 'nba-props-platform',
  region: 'us-west2',
  workspaceFolder: '/home/dev/repo',
  ...extra,
});

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TemplateError, `expected a TemplateError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a TemplateError');
}

describe('deploy command templates', () => {
  it('expands the demo template into a quoted command line and an argv', () => {
    const expanded = expandDeployCommand('./bin/deploy-service.sh ${service}', values());
    assert.equal(expanded.commandLine, "./bin/deploy-service.sh 'prediction-coordinator'");
    assert.deepEqual(expanded.argv, ['./bin/deploy-service.sh', 'prediction-coordinator']);
    assert.deepEqual(expanded.variables, ['service']);
  });

  it('expands every variable', () => {
    const expanded = expandDeployCommand('deploy ${service} ${commit} ${shortCommit} ${project} ${region} ${workspaceFolder}', values());
    assert.equal(expanded.commandLine, `deploy 'prediction-coordinator' '${COMMIT}' '0123456' 'nba-props-platform' 'us-west2' '/home/dev/repo'`);
    assert.deepEqual(expanded.argv, ['deploy', 'prediction-coordinator', COMMIT, '0123456', 'nba-props-platform', 'us-west2', '/home/dev/repo']);
    assert.deepEqual(expanded.variables, ['service', 'commit', 'shortCommit', 'project', 'region', 'workspaceFolder']);
  });

  it('keeps plain values readable inside quotes and closes and reopens quotes around others', () => {
    assert.equal(expandDeployCommand('cd "${workspaceFolder}/api" && x', values()).commandLine, 'cd "/home/dev/repo/api" && x');
    assert.equal(expandDeployCommand("echo '${service}:${region}'", values()).commandLine, "echo 'prediction-coordinator:us-west2'");
    const odd = values({ workspaceFolder: "/tmp/it's \"here\" $HOME" });
    assert.equal(expandDeployCommand('cd "${workspaceFolder}/api"', odd).commandLine, `cd ""'/tmp/it'\\''s "here" $HOME'"/api"`);
    assert.equal(expandDeployCommand("echo '<${workspaceFolder}>'", odd).commandLine, `echo '<''/tmp/it'\\''s "here" $HOME''>'`);
  });

  it('gives argv only for a plain list of words', () => {
    assert.deepEqual(expandDeployCommand('./deploy.sh "--service=${service}" \'--region\' ${region}', values()).argv, ['./deploy.sh', '--service=prediction-coordinator', '--region', 'us-west2']);
    for (const template of ['./deploy.sh ${service} | tee log', './deploy.sh ${service} > log', 'FOO=1 ./deploy.sh ${service}', './deploy.sh ${service} $HOME', 'cd x && ./d ${service}', './d ${service} *.yaml', '~/d ${service}']) {
      assert.equal(expandDeployCommand(template, values()).argv, null, template);
    }
  });

  it('names an unknown variable, with a hint for shell variables', () => {
    const err = templateError(() => expandDeployCommand('./deploy.sh ${service} ${HOME}', values()));
    assert.equal(err.variable, 'HOME');
    assert.match(err.message, /unknown template variable \$\{HOME\}.*known: \$\{service\}, \$\{commit\}, \$\{shortCommit\}, \$\{project\}, \$\{region\}, \$\{workspaceFolder\}.*write \$HOME without braces/);
    assert.equal(templateError(() => expandDeployCommand('x ${servce}', values())).variable, 'servce');
    assert.equal(templateError(() => expandDeployCommand('x ${HOME:-/tmp}', values())).variable, 'HOME:-/tmp');
    assert.match(templateError(() => expandDeployCommand('x ${service', values())).message, /unterminated \$\{service: expected "\}"/);
    assert.equal(checkTemplate('x ${nope}')?.variable, 'nope');
    assert.equal(checkTemplate('./bin/deploy-service.sh ${service}'), null);
  });

  it('refuses positions where the quoting cannot be guaranteed', () => {
    const refused: [string, RegExp][] = [
      ['echo $(basename ${workspaceFolder})', /inside \$\(\.\.\.\)/],
      ['echo "$(basename ${workspaceFolder})"', /inside \$\(\.\.\.\)/],
      ['echo `basename ${workspaceFolder}`', /backticks/],
      ['diff <(cat ${workspaceFolder}) x', /inside \$\(\.\.\.\), <\(\.\.\.\)/],
      ["echo $'${workspaceFolder}'", /inside \$'\.\.\.'/],
      ['echo $${service}', /follows a "\$"/],
      ['echo "$${service}"', /follows a "\$"/],
      ['cat <<EOF\n${service}\nEOF', /after a heredoc/],
      ['x # comment\n./deploy ${service}', /after a "#" comment/],
      ['case a in a) echo ${service};; esac', /after a "case" statement/],
    ];
    for (const [template, message] of refused) assert.match(templateError(() => expandDeployCommand(template, values())).message, message, template);
  });

  it('follows quotes, escapes, nested substitutions and here-strings to the right context', () => {
    assert.equal(expandDeployCommand('echo "$(date)" ${service}', values()).commandLine, "echo \"$(date)\" 'prediction-coordinator'");
    assert.equal(expandDeployCommand('echo $(echo ")") "${service}"', values()).commandLine, 'echo $(echo ")") "prediction-coordinator"');
    assert.equal(expandDeployCommand("echo $'it\\'s' ${service}", values()).commandLine, "echo $'it\\'s' 'prediction-coordinator'");
    assert.equal(expandDeployCommand('echo a#b ${service}', values()).commandLine, "echo a#b 'prediction-coordinator'");
    assert.equal(expandDeployCommand('cat <<< ${service}', values()).commandLine, "cat <<< 'prediction-coordinator'");
    assert.equal(expandDeployCommand('echo $((1 + (2))) ${service}', values()).commandLine, "echo $((1 + (2))) 'prediction-coordinator'");
    // As in the shell, a backslash keeps `${` literal: nothing is substituted there (written so that VS Code finds no `${` either).
    assert.equal(expandDeployCommand('echo \\${service} ${service}', values()).commandLine, "echo \\$''{service} 'prediction-coordinator'");
  });

  it('writes a literal `${` so that VS Code finds nothing to substitute, in every context', () => {
    const cases: [string, string][] = [
      ['echo \\${config:editor.fontSize}', "echo \\$''{config:editor.fontSize}"],
      ['echo "\\${env:HOME}/x"', 'echo "\\$""{env:HOME}/x"'],
      ["echo $'\\${command:workbench.action.quit}\\t'", "echo $'\\$'$'{command:workbench.action.quit}\\t'"],
      ['echo $(echo \\${input:x})', "echo $(echo \\$''{input:x})"],
      ['echo "$(echo "\\${/}")"', 'echo "$(echo "\\$""{/}")"'],
      ['./deploy ${service} # see ${workspaceFolder}', "./deploy 'prediction-coordinator' # see $''{workspaceFolder}"],
    ];
    for (const [template, commandLine] of cases) {
      const expanded = expandDeployCommand(template, values());
      assert.equal(expanded.commandLine, commandLine, template);
      assert.deepEqual(vscodeVariables(expanded.commandLine), [], template);
    }
  });

  it('refuses a `\\${` whose meaning it cannot keep, and control characters in the template', () => {
    assert.match(templateError(() => expandDeployCommand('echo `echo \\${x}`', values())).message, /inside backticks is a parameter expansion/);
    assert.match(templateError(() => expandDeployCommand('cat <<EOF\n\\${x}\nEOF', values())).message, /\\\$\{ comes after a heredoc/);
    const control = templateError(() => expandDeployCommand("echo '\x1b]0;title\x07' ${service}", values()));
    assert.equal(control.message, "the template holds the control character U+001B (at character 7); write it as the shell would, e.g. $'\\x1b'");
    assert.equal(checkTemplate('echo a\rb')?.message.startsWith('the template holds the control character U+000D'), true);
    assert.match(checkTemplate('echo a\u009bb')?.message ?? '', /U\+009B .*e\.g\. \$'\\xc2\\x9b'$/);
    assert.equal(checkTemplate('set -e\n\techo ${service}'), null, 'newline and tab are fine');
  });

  it('writes values holding `${` or control characters so that bash reads them exactly and the line holds neither', () => {
    const folder = '/home/dev/${config:editor.fontSize}/${env:HOME}/\x1b]0;t\x07/\u009b/{x}$';
    const expanded = expandDeployCommand(`cd \${workspaceFolder} && cd "\${workspaceFolder}" && echo '\${workspaceFolder}' '$\${workspaceFolder}'`, values({ workspaceFolder: folder }));
    const word = "'/home/dev/$''{config:editor.fontSize}/$''{env:HOME}/'$'\\x1b'']0;t'$'\\x07''/'$'\\xc2\\x9b''/{x}$'";
    assert.equal(expanded.commandLine, `cd ${word} && cd ""${word}"" && echo ''${word}'' '$'${word}''`);
    assert.deepEqual(vscodeVariables(expanded.commandLine), []);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(expanded.commandLine, /[\u0000-\u001f\u007f-\u009f]/);
  });

  it('refuses templates that would not run', () => {
    assert.match(templateError(() => expandDeployCommand("echo 'open ${service}", values())).message, /unterminated single quote/);
    assert.match(templateError(() => expandDeployCommand('echo "open ${service}', values())).message, /unterminated double quote/);
    assert.match(templateError(() => expandDeployCommand('echo $(date ${service}', values())).message, /inside \$\(/);
    assert.match(templateError(() => expandDeployCommand('echo $(date', values())).message, /unterminated \$\(/);
  });

  it('validates every value and names the bad one', () => {
    const bad: [Partial<TemplateValues>, string][] = [
      [{ service: '$(rm -rf ~)' }, 'service'],
      [{ service: 'api; reboot' }, 'service'],
      [{ service: 'Api' }, 'service'],
      [{ service: 'a'.repeat(50) }, 'service'],
      [{ commit: 'HEAD' }, 'commit'],
      [{ commit: `${COMMIT.slice(0, 39)}\n` }, 'commit'],
      [{ shortCommit: 'abcdef0' }, 'shortCommit'],
      [{ shortCommit: '012' }, 'shortCommit'],
      [{ project: 'p`id`' }, 'project'],
      [{ project: 'nba-props-platform; reboot' }, 'project'],
      [{ region: 'us-west2\nreboot' }, 'region'],
      [{ workspaceFolder: 'relative/path' }, 'workspaceFolder'],
      [{ workspaceFolder: '/tmp/nul\0byte' }, 'workspaceFolder'],
    ];
    for (const [override, variable] of bad) {
      const err = templateError(() => expandDeployCommand('./deploy.sh ${service}', values(override)));
      assert.equal(err.variable, variable, JSON.stringify(override));
      assert.match(err.message, new RegExp(`^\\$\\{${variable}\\} would be .*, expected .*the deploy was not started$`, 's'));
    }
    assert.doesNotThrow(() => validateTemplateValues(values({ project: 'example.com:my-project', commit: 'a'.repeat(64), shortCommit: 'aaaaaaa' })));
  });

  it('quotes with single quotes and writes a quote as \'\\\'\'', () => {
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's"), "'it'\\''s'");
    assert.equal(shellQuote('$(x) `y` "z"'), "'$(x) `y` \"z\"'");
    assert.equal(shellQuote('a${b}'), "'a$''{b}'");
    assert.equal(shellQuote('\x1b[2J\nline\t\u009b'), "$'\\x1b''[2J'$'\\x0a''line'$'\\x09\\xc2\\x9b'");
  });
});

describe('expanded commands in a real bash', () => {
  let dir: string;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const canary = (): string => path.join(dir, 'CANARY');

  before(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'crd-template-')));
    // A fake HOME with a file in it, and a fake `reboot` on PATH: if quoting ever failed, `rm -rf ~`
    // or `reboot` would hit these and the test would see it, not the machine.
    home = path.join(dir, 'home');
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, 'keep'), 'still here');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'reboot'), `#!/bin/sh\ntouch '${canary()}'\n`, { mode: 0o755 });
    env = { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, LC_ALL: 'C.UTF-8' };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const HOSTILE = [
    '$(rm -rf ~)',
    `$(touch ${'CANARY'})`,
    '`touch CANARY`',
    '; reboot',
    '; reboot #',
    "'; reboot; '",
    '"; reboot; "',
    "\\'; reboot; #",
    'line1\nreboot\nline3',
    'tab\there & reboot &',
    '| reboot',
    '&& reboot',
    '$HOME ${HOME} $((1+1)) $\'\\x27\' !!',
    '* ? [a-z] ~ {a,b}',
    'ünïcødé ✓ 🚀 \u202e reversed',
    '${config:editor.fontSize} ${env:HOME} ${workspaceFolder} ${command:workbench.action.quit} ${/}',
    '\x1b]0;retitled\x07\x1b[2J\u009bH\rline',
    '{starts with a brace and ends with a dollar$',
    "''''\"\"\"\\\\\\",
    '-rf --help',
    ' leading and trailing spaces ',
  ];

  /** Runs a command line with bash in `dir`; stdout as NUL-separated fields. */
  function bash(commandLine: string): string[] {
    const run = spawnSync('bash', ['-c', commandLine], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(run.status, 0, `bash failed: ${run.stderr}\n${commandLine}`);
    return run.stdout.split('\0').slice(0, -1);
  }

  it('delivers each hostile workspaceFolder literally in every quoting context, running nothing', () => {
    const template = `printf '%s\\0' \${workspaceFolder} "\${workspaceFolder}/sub" '[\${workspaceFolder}]' pre\${workspaceFolder}post "a \${workspaceFolder} b"`;
    for (const hostile of HOSTILE) {
      const folder = path.join(dir, hostile);
      const expanded = expandDeployCommand(template, values({ workspaceFolder: folder }));
      assert.deepEqual(vscodeVariables(expanded.commandLine), [], JSON.stringify(hostile));
      assert.deepEqual(bash(expanded.commandLine), [folder, `${folder}/sub`, `[${folder}]`, `pre${folder}post`, `a ${folder} b`], JSON.stringify(hostile));
      assert.equal(fs.existsSync(canary()), false, `something ran for ${JSON.stringify(hostile)}`);
      assert.equal(fs.readFileSync(path.join(home, 'keep'), 'utf8'), 'still here');
    }
  });

  it('a literal `${` written for VS Code still means `${` to bash, in every context', () => {
    const commandLine = expandDeployCommand(
      `printf '%s\\0' \\\${config:editor.fontSize} "\\\${env:HOME}" $'\\\${x}\\t' "$(printf %s \\\${input:y})" \\\${a,b} # \${workspaceFolder}`,
      values(),
    ).commandLine;
    assert.deepEqual(vscodeVariables(commandLine), []);
    // What bash makes of the template as written (the shell's own meaning of \${): brace expansion included.
    assert.deepEqual(bash(commandLine), ['${config:editor.fontSize}', '${env:HOME}', '\\${x}\t', '${input:y}', '$a', '$b']);
  });

  it('the argv form carries the same values as bash does', () => {
    const template = 'printf %s. ${service} "--folder=${workspaceFolder}" \'${region}\'';
    for (const hostile of HOSTILE) {
      const expanded = expandDeployCommand(template, values({ workspaceFolder: path.join(dir, hostile) }));
      assert.ok(expanded.argv, 'a plain list of words has an argv');
      assert.deepEqual(expanded.argv, ['printf', '%s.', 'prediction-coordinator', `--folder=${path.join(dir, hostile)}`, 'us-west2']);
      const viaArgv = execFileSync(expanded.argv[0]!, expanded.argv.slice(1), { cwd: dir, env, encoding: 'utf8' });
      const viaBash = spawnSync('bash', ['-c', expanded.commandLine], { cwd: dir, env, encoding: 'utf8' }).stdout;
      assert.equal(viaBash, viaArgv);
    }
    assert.equal(fs.existsSync(canary()), false);
  });

  it('survives random strings over a hostile alphabet', () => {
    const alphabet = ['$', '(', ')', '`', "'", '"', '\\', ';', '&', '|', '\n', ' ', '\t', '#', '!', '*', '~', '{', '}', '<', '>', 'a', 'é', '🚀', '%', '=', 'reboot', '${', '\x1b', '\r', '\u009b', '\x7f'];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const folders: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const folder = `/x/${Array.from({ length: 1 + random(24) }, () => alphabet[random(alphabet.length)]).join('')}`;
      folders.push(folder);
      // One bash for all: each expanded line is a complete command on its own line.
      const { commandLine } = expandDeployCommand(`printf '%s\\0' \${workspaceFolder} "<\${workspaceFolder}>" '[\${workspaceFolder}]'`, values({ workspaceFolder: folder }));
      assert.deepEqual(vscodeVariables(commandLine), [], JSON.stringify(folder));
      lines.push(commandLine);
    }
    assert.deepEqual(bash(lines.join('\n')), folders.flatMap((f) => [f, `<${f}>`, `[${f}]`]));
    assert.equal(fs.existsSync(canary()), false);
  });
});
