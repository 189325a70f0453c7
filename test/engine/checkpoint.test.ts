import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CheckpointError, loadCheckpoint, readManifest, saveCheckpoint } from '../../src/engine/checkpoint';

describe('checkpoints', () => {
  let dir: string;
  const config = { encoder: { wordDim: 100, charDim: 2048 }, model: { hidden: [8], steps: 5 } };
  const save = () =>
    saveCheckpoint(dir, {
      kind: 'maml',
      config,
      tensors: { w: { data: Float32Array.from([1.5, -2, 3.25, 0.1, 5, 6]), shape: [2, 3] }, b: Float32Array.from([7, -8]) },
      metrics: { valAcc: 0.9 },
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ckpt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips tensors, shapes, config and metrics, leaving no temp files', () => {
    save();
    const got = loadCheckpoint(dir, { kind: 'maml', configMatch: { encoder: { charDim: 2048 } } });
    assert.deepEqual(Array.from(got.tensors.w), Array.from(Float32Array.from([1.5, -2, 3.25, 0.1, 5, 6])));
    assert.deepEqual(Array.from(got.tensors.b), [7, -8]);
    assert.deepEqual(got.shapes, { w: [2, 3], b: [2] });
    assert.deepEqual(got.manifest.config, config);
    assert.deepEqual(got.manifest.metrics, { valAcc: 0.9 });
    assert.equal(got.manifest.formatVersion, 1);
    assert.match(got.manifest.weights.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['manifest.json', 'weights.bin']);
  });

  it('overwrites an older checkpoint in place', () => {
    save();
    saveCheckpoint(dir, { kind: 'maml', config, tensors: { b: Float32Array.from([1]) } });
    assert.deepEqual(Object.keys(loadCheckpoint(dir).tensors), ['b']);
  });

  const fails = (expect: RegExp, opts?: Parameters<typeof loadCheckpoint>[1]) =>
    assert.throws(
      () => loadCheckpoint(dir, opts),
      (e: unknown) => e instanceof CheckpointError && expect.test(e.message),
    );

  it('names a missing manifest', () => fails(/manifest\.json is missing/));

  it('names missing weights', () => {
    save();
    fs.rmSync(path.join(dir, 'weights.bin'));
    fails(/incomplete: weights\.bin is missing/);
  });

  it('detects truncated weights', () => {
    save();
    fs.truncateSync(path.join(dir, 'weights.bin'), 10);
    fails(/truncated or corrupt: 10 bytes, the manifest says 32/);
  });

  it('detects a flipped byte through the hash', () => {
    save();
    const file = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[5] ^= 0xff;
    fs.writeFileSync(file, bytes);
    fails(/is corrupt: its SHA-256 does not match the manifest/);
  });

  it('refuses another format version', () => {
    save();
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, JSON.stringify({ ...readManifest(dir), formatVersion: 2 }));
    fails(/format version 2; this build reads version 1/);
  });

  it('refuses a manifest that is not JSON', () => {
    save();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{ nope');
    fails(/manifest\.json is not valid JSON/);
  });

  it('names the mismatched config field and the wrong kind', () => {
    save();
    fails(/does not match this model: config\.encoder\.charDim: checkpoint has 2048, expected 1024/, {
      configMatch: { encoder: { charDim: 1024 } },
    });
    fails(/config\.model\.hidden: checkpoint has \[8\], expected \[16\]/, { configMatch: { model: { hidden: [16] } } });
    fails(/is a 'maml' model, expected 'protonet'/, { kind: 'protonet' });
  });

  it('refuses a tensor whose shape does not fit its data', () => {
    assert.throws(
      () => saveCheckpoint(dir, { kind: 'x', config: {}, tensors: { w: { data: new Float32Array(5), shape: [2, 3] } } }),
      /tensor 'w' has 5 values but shape \[2, 3\]/,
    );
  });
});
