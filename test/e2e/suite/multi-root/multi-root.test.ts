// A multi-root workspace (a .code-workspace file): two repositories with a cloud-run-drift.json each
// (Shop and Billing, both with a service named `api`) and a folder without one (Notes). Each repository
// gets its own session and its own group of rows in the Services view, named after its folder;
// commands given a row act on that row's repository; removing a folder at runtime removes its
// repository's group (one repository left: the rows look as in a single-folder window), adding it
// back brings it back.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MultiRootFacts } from '../../shared';
import { driftApi, e2eContext, git, waitFor, type CloudRunDriftApi, type TreeSnapshotNode } from '../helpers';

/** The repositories' folders as the editor spells them (see README: compare through Uri.fsPath). */
function facts(): MultiRootFacts {
  const m = e2eContext().multiRoot;
  assert.ok(m, 'this run opens the multi-root workspace');
  const fsPath = (dir: string): string => vscode.Uri.file(dir).fsPath;
  return { ...m, plainDir: fsPath(m.plainDir), repos: m.repos.map((r) => ({ ...r, dir: fsPath(r.dir) })) };
}

/** Waits until both repositories have checked their services. */
async function settled(): Promise<CloudRunDriftApi> {
  const api = await driftApi();
  const roots = facts().repos.map((r) => r.dir);
  await waitFor(
    `both repositories to be checked (repositories: ${JSON.stringify(api.getRepositories())})`,
    () => api.getRepositories().length === roots.length && roots.every((root) => api.getLastResult(root) !== undefined),
    40_000,
  );
  return api;
}

function describeRows(nodes: readonly TreeSnapshotNode[]): string {
  return JSON.stringify(nodes.map((n) => [n.label, n.description, n.icon, n.contextValue, n.children.map((c) => [c.label, c.icon])]));
}

suite('multi-root workspace', () => {
  test('two repositories, two groups named after their folders, each with its own rows; none for the folder without a configuration', async () => {
    const api = await settled();
    const { repos, plainDir } = facts();
    assert.equal(vscode.workspace.workspaceFolders?.length, 3);
    assert.equal(api.getState(), 'ready');
    assert.deepEqual(
      api.getRepositories().map((r) => [r.name, r.root, r.folders, r.state]),
      repos.map((r) => [r.name, r.dir, [r.dir], 'ready']),
    );
    assert.ok(!api.getRepositories().some((r) => r.folders.includes(plainDir)), 'Notes has no configuration');

    const expectedGroup = (repo: MultiRootFacts['repos'][number]): string => {
      const stale = repo.services.filter((s) => s.status === 'stale').length;
      const ok = repo.services.length - stale;
      return [stale > 0 ? `${stale} stale` : '', `${ok} ok`].filter(Boolean).join(' · ');
    };
    let groups: TreeSnapshotNode[] = [];
    await waitFor(
      'a group per repository with its verdicts',
      () => {
        groups = api.getTreeSnapshot();
        return (
          groups.length === 2 &&
          groups.every((g, i) => g.description === expectedGroup(repos[i]!) && g.children.every((c) => c.icon === (repos[i]!.services.find((s) => s.name === c.label)?.status === 'stale' ? 'warning' : 'pass')))
        );
      },
      20_000,
    ).catch(() => assert.fail(`the Services view shows ${describeRows(groups)}`));

    assert.deepEqual(
      groups.map((g) => [g.label, g.icon, g.contextValue, g.id]),
      repos.map((r) => [r.name, 'repo', 'cloudRunDrift.repository.ready', `repository:${r.dir}`]),
    );
    for (const [i, group] of groups.entries()) {
      const repo = repos[i]!;
      assert.deepEqual(group.children.map((c) => c.label), repo.services.map((s) => s.name), `${repo.name}'s rows in configuration order`);
      // A service of the same name in both repositories stays two rows.
      assert.equal(group.children[0]!.id, `repository:${repo.dir}/service:api`);
      assert.match(group.children[0]!.contextValue ?? '', /^cloudRunDrift\.service\.up-to-date\./);
      assert.deepEqual(api.getRepositorySnapshot(repo.dir).map((n) => n.label), repo.services.map((s) => s.name));
    }
    const web = groups[0]!.children.find((c) => c.label === 'web')!;
    assert.match(web.description ?? '', /^1 behind for \d+ \w+ · /);
  });

  test("a command given a row acts on the row's repository: the same service name, each repository's own commit", async () => {
    const api = await settled();
    const [shop, billing] = facts().repos;
    assert.notEqual(shop!.services[0]!.deployedCommit, billing!.services[0]!.deployedCommit);
    for (const repo of [shop!, billing!]) {
      await vscode.env.clipboard.writeText('');
      await vscode.commands.executeCommand('cloudRunDrift.copyDeployedCommit', { serviceName: 'api', root: repo.dir });
      assert.equal(await vscode.env.clipboard.readText(), repo.services.find((s) => s.name === 'api')!.deployedCommit, `Copy Deployed Commit on ${repo.name}'s api`);
    }

    // The undeployed commit of Shop's web, its patch read from Shop's git.
    const sha = git(shop!.dir, 'rev-parse', 'HEAD');
    await vscode.commands.executeCommand('cloudRunDrift.showCommitPatch', { serviceName: 'web', sha, root: shop!.dir });
    const editor = await waitFor('the commit patch to open', () => vscode.window.activeTextEditor?.document.uri.scheme === 'cloud-run-drift-commit' && vscode.window.activeTextEditor);
    assert.match(editor.document.getText(), /changed after the deploy/);
    assert.equal(new URLSearchParams(editor.document.uri.query).get('root'), shop!.dir);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    // Refresh on Billing's group row refreshes Billing only.
    const shopResult = api.getLastResult(shop!.dir);
    const billingResult = api.getLastResult(billing!.dir);
    await vscode.commands.executeCommand('cloudRunDrift.refresh', { root: billing!.dir });
    assert.notEqual(api.getLastResult(billing!.dir), billingResult, 'Billing checked again');
    assert.equal(api.getLastResult(shop!.dir), shopResult, 'Shop left alone');
  });

  test('removing a folder removes its repository (one left: rows as in a single-folder window); adding it back brings its group back', async function () {
    this.timeout(90_000);
    const api = await settled();
    const [shop, billing] = facts().repos;
    try {
      assert.ok(vscode.workspace.updateWorkspaceFolders(1, 1), 'VS Code accepted removing Billing');
      await waitFor(`Billing's session to go (repositories: ${JSON.stringify(api.getRepositories().map((r) => r.name))})`, () => api.getRepositories().length === 1, 20_000);
      assert.equal(api.getRepositories()[0]!.root, shop!.dir);
      const rows = await waitFor('the tree without groups', () => {
        const top = api.getTreeSnapshot();
        return top.length > 0 && top.every((n) => n.contextValue?.startsWith('cloudRunDrift.service.')) && top;
      });
      assert.deepEqual(rows.map((n) => [n.label, n.id]), shop!.services.map((s) => [s.name, `service:${s.name}`]));
    } finally {
      if (!vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === billing!.dir)) {
        vscode.workspace.updateWorkspaceFolders(1, 0, { uri: vscode.Uri.file(billing!.dir), name: billing!.name });
      }
    }
    await waitFor('Billing back as its own group', () => {
      const top = api.getTreeSnapshot();
      return top.length === 2 && top[1]!.label === billing!.name && top[1]!.children.length === billing!.services.length;
    }, 40_000);
    assert.deepEqual(api.getRepositories().map((r) => r.name), [shop!.name, billing!.name]);
  });
});
