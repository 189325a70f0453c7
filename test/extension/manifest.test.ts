// The manifest's promises about where and when the extension runs (items 13 and 14 of issue 8).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Manifest {
  activationEvents: string[];
  capabilities?: {
    untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string; restrictedConfigurations?: string[] };
    virtualWorkspaces?: boolean | { supported: boolean | 'limited'; description?: string };
  };
  contributes: { configuration: { properties: Record<string, unknown> } };
}

const manifest = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'package.json'), 'utf8')) as Manifest;

describe('package.json', () => {
  it('activates only where there is something to do: a label file, a command, the panel', () => {
    assert.deepEqual(manifest.activationEvents.sort(), [
      'onWebviewPanel:fewshot.labelingPanel',
      'workspaceContains:**/.fewshot/labels.jsonl',
    ]);
  });

  it('declares limited support in untrusted workspaces, with every path setting restricted', () => {
    const untrusted = manifest.capabilities?.untrustedWorkspaces;
    assert.equal(untrusted?.supported, 'limited');
    assert.match(untrusted?.description ?? '', /\.fewshot/);
    // The settings that name a place on disk (a workspace could point them anywhere).
    const properties = manifest.contributes.configuration.properties;
    const pathSettings = Object.keys(properties).filter((k) => /(labelsFile|Path|Dir|Folder)$/.test(k));
    assert.deepEqual(pathSettings, ['fewshot.labelsFile']);
    assert.deepEqual(untrusted?.restrictedConfigurations, pathSettings);
  });

  it('declares virtual workspaces unsupported (label files need the local disk)', () => {
    const virtual = manifest.capabilities?.virtualWorkspaces;
    assert.ok(typeof virtual === 'object' && virtual.supported === false && virtual.description);
  });
});
