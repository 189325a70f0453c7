// A copy of a model folder that differs only in the encoder's LRU cache size (part of the
// checkpoint's encoder config), so the memory benchmark can measure other sizes through the real
// Engine.load. Vectors and weights are linked, not copied; the manifest is rewritten.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function modelWithCacheSize(modelDir: string, cacheSize: number): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-model-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.mkdirSync(path.join(dir, 'checkpoint'));
    fs.symlinkSync(path.resolve(modelDir, 'vectors.bin'), path.join(dir, 'vectors.bin'));
    fs.symlinkSync(path.resolve(modelDir, 'checkpoint', 'weights.bin'), path.join(dir, 'checkpoint', 'weights.bin'));
    const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'checkpoint', 'manifest.json'), 'utf8'));
    if (!manifest?.config?.encoder) throw new Error(`${modelDir}: checkpoint manifest has no encoder config`);
    manifest.config.encoder.cacheSize = cacheSize;
    fs.writeFileSync(path.join(dir, 'checkpoint', 'manifest.json'), JSON.stringify(manifest));
  } catch (err) {
    remove();
    throw err;
  }
  return { dir, remove };
}

/** The encoder cache size a model folder ships with. */
export function shippedCacheSize(modelDir: string): number {
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'checkpoint', 'manifest.json'), 'utf8'));
  return Number(manifest?.config?.encoder?.cacheSize);
}
