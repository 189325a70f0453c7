import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../../src/engine/tf/backend';

describe('selectBackend', () => {
  after(async () => {
    await selectBackend('cpu');
  });

  it('loads wasm when asked, with no note', async () => {
    const messages: string[] = [];
    const got = await selectBackend('wasm', (m) => messages.push(m));
    assert.deepEqual(got, { name: 'wasm' });
    assert.equal(tf.getBackend(), 'wasm');
    assert.deepEqual(messages, []);
    // The backend computes, not just loads.
    assert.deepEqual(Array.from(tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync()), [4, 6]);
  });

  it('loads cpu when asked', async () => {
    const got = await selectBackend('cpu');
    assert.deepEqual(got, { name: 'cpu' });
    assert.equal(tf.getBackend(), 'cpu');
  });

  it('falls back from native TensorFlow to wasm with a clear message (not installable here)', async () => {
    const messages: string[] = [];
    const got = await selectBackend('tensorflow', (m) => messages.push(m));
    assert.equal(got.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(messages.length, 1);
    assert.equal(got.note, messages[0]);
    assert.match(messages[0], /^backend 'tensorflow' is unavailable \(tensorflow: native TensorFlow is not available/);
    assert.match(messages[0], /@tensorflow\/tfjs-node-gpu: /);
    assert.match(messages[0], /; using wasm$/);
  });

  it('falls back from WebGPU to wasm when there is no adapter', async () => {
    const messages: string[] = [];
    const got = await selectBackend('webgpu', (m) => messages.push(m));
    assert.equal(got.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(
      messages[0],
      /^backend 'webgpu' is unavailable \(webgpu: (no WebGPU adapter found|the webgpu package could not be loaded)/,
    );
    assert.match(got.note ?? '', /using wasm$/);
  });

  it('auto picks wasm on a machine without a GPU backend', async () => {
    const got = await selectBackend('auto');
    assert.equal(got.name, 'wasm');
    assert.match(got.note ?? '', /^backend 'auto' found no GPU backend \(tensorflow: .*webgpu: .*\); using wasm$/);
  });

  it('falls back from wasm to cpu when the wasm binaries are missing', async () => {
    const messages: string[] = [];
    const got = await selectBackend('wasm', (m) => messages.push(m), { wasmDir: '/nonexistent-wasm-dir' });
    // The folder is checked before initialising, so this holds even though wasm loaded earlier.
    assert.equal(got.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(
      messages[0],
      "backend 'wasm' is unavailable (wasm: no tfjs-backend-wasm-simd.wasm in the wasm folder /nonexistent-wasm-dir); using cpu",
    );
  });

  it('rejects an unknown choice with a message naming the valid ones', async () => {
    await assert.rejects(selectBackend('cuda' as never), /unknown backend 'cuda' \(expected one of auto, wasm, cpu, tensorflow, webgpu\)/);
  });
});
