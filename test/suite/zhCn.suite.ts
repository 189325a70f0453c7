// The zh-cn suite (issue 19): runs in a code-server whose display language is zh-cn (the test
// language pack, scripts/e2e/codeServer.mjs). Checks that VS Code itself loaded the translations
// the extension ships: the manifest's (package.nls.zh-cn.json) and the messages' (l10n bundle).
// In English every check here fails: the titles and messages come back untranslated.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { englishOf, said } from '../../src/engine/messageTemplate';
import { ENGINE_CLIENT_MESSAGES } from '../../src/extension/engineClient';
import { PANEL_STRINGS, translatePanelStrings } from '../../src/protocol/panelStrings';
import { errorText, RpcError } from '../../src/protocol/rpc';
import { WORKER_MESSAGES } from '../../src/protocol/workerMessages';
import { EXTENSION_ID } from './helpers';

interface Command {
  command: string;
  title: string | { value: string; original: string };
}

const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

export function registerZhCnSuite(): void {
  describe('Few-Shot Labeler in Chinese (zh-cn)', () => {
    let ext: vscode.Extension<unknown>;
    const shipped = <T>(file: string) => readJson<T>(path.join(ext.extensionPath, file));

    before(async () => {
      const found = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(found, `extension ${EXTENSION_ID} is not installed`);
      ext = found;
      await ext.activate();
    });

    it('runs with the display language zh-cn', () => {
      assert.equal(vscode.env.language, 'zh-cn');
    });

    it('shows every contributed command with its title from package.nls.zh-cn.json', () => {
      // The manifest on disk names each title by key; VS Code's copy (packageJSON) has it resolved.
      const keys = new Map(
        shipped<{ contributes: { commands: Command[] } }>('package.json').contributes.commands.map((c) => [c.command, String(c.title)]),
      );
      const zh = shipped<Record<string, string>>('package.nls.zh-cn.json');
      const en = shipped<Record<string, string>>('package.nls.json');
      const commands = (ext.packageJSON as { contributes: { commands: Command[] } }).contributes.commands;
      assert.equal(commands.length, keys.size);
      for (const c of commands) {
        const key = keys.get(c.command)?.replace(/^%|%$/g, '') ?? '';
        assert.ok(zh[key], `package.nls.zh-cn.json has no ${key} (${c.command})`);
        const title = typeof c.title === 'string' ? c.title : c.title.value;
        assert.equal(title, zh[key], c.command);
        assert.notEqual(title, en[key], `${c.command} is shown in English`);
      }
    });

    it('translates its messages from l10n/bundle.l10n.zh-cn.json', () => {
      // This suite's `vscode` is Few-Shot's API (the suite lies in the extension's folder), so
      // l10n.t here resolves against the bundle VS Code loaded for the extension.
      assert.equal(vscode.l10n.uri?.path.endsWith('/l10n/bundle.l10n.zh-cn.json'), true, String(vscode.l10n.uri));
      const bundle = shipped<Record<string, string>>('l10n/bundle.l10n.zh-cn.json');
      assert.equal(vscode.l10n.t('engine idle'), bundle['engine idle']);
      assert.equal(vscode.l10n.t('{0} labeled', 3), bundle['{0} labeled']?.replace('{0}', '3'));
      assert.notEqual(vscode.l10n.t('{0} labeled', 3), '3 labeled');
    });

    it('says the worker’s errors through the same bundle: a template with braces of its own, and the back-off with its reason inside', () => {
      // What the extension does with an error from the worker or the engine client (errorText in commands.ts, the status bar).
      const bundle = shipped<Record<string, string>>('l10n/bundle.l10n.zh-cn.json');
      // VS Code's l10n.t leaves a {word} that is no parameter as it is (the template's `{text: string, ...}`).
      assert.equal(errorText(RpcError.said('input', WORKER_MESSAGES.badMultiLabel), vscode.l10n.t), bundle[WORKER_MESSAGES.badMultiLabel]);
      assert.equal(
        errorText(RpcError.said('input', WORKER_MESSAGES.cannotRead, 'big.csv', 'EACCES'), vscode.l10n.t),
        bundle[WORKER_MESSAGES.cannotRead]?.replace('{0}', 'big.csv').replace('{1}', 'EACCES'),
      );
      const inner = said(ENGINE_CLIENT_MESSAGES.workerExited, '1');
      const retrying = said(ENGINE_CLIENT_MESSAGES.retrying, englishOf(inner), '4');
      const backoff = new RpcError(englishOf(retrying), 'internal', { ...retrying, inner });
      assert.equal(
        errorText(backoff, vscode.l10n.t),
        bundle[ENGINE_CLIENT_MESSAGES.retrying]
          ?.replace('{0}', bundle[ENGINE_CLIENT_MESSAGES.workerExited]?.replace('{0}', '1') ?? '')
          .replace('{1}', '4'),
      );
    });

    it('translates the labeling panel’s strings through the same bundle, keeping their placeholders for the webview', () => {
      // The panel's host does this when it opens the panel (src/extension/panel/index.ts).
      const bundle = shipped<Record<string, string>>('l10n/bundle.l10n.zh-cn.json');
      const expected = Object.fromEntries(Object.entries(PANEL_STRINGS).map(([key, english]) => [key, bundle[english]]));
      assert.deepEqual(translatePanelStrings(vscode.l10n.t), expected);
    });
  });
}
