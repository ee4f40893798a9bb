import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendInfo, initBackend } from '../../ml/backend.ts';
import { nativeStatus, nativeThreadSetting } from '../../ml/native.ts';
import { tf } from '../../ml/tf.ts';

describe('backend selection', () => {
  it('fails clearly when a forced backend cannot load', async () => {
    await assert.rejects(
      initBackend({ backend: 'tfjs-node', log: () => {} }),
      /Backend 'tfjs-node' was requested \(option backend\) but cannot be used: .*@tensorflow\/tfjs-node/,
    );
    await assert.rejects(initBackend({ backend: 'tfjs-node-gpu', log: () => {} }), /'tfjs-node-gpu' was requested/);
  });

  it('rejects an unknown WT_BACKEND', async () => {
    process.env.WT_BACKEND = 'tpu';
    try {
      await assert.rejects(initBackend({ log: () => {} }), /WT_BACKEND='tpu' is not one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu/);
    } finally {
      delete process.env.WT_BACKEND;
    }
  });

  it('picks the best available backend (wasm here), logs once and reports name, version, threads', async () => {
    const lines: string[] = [];
    const info = await initBackend({ backend: 'auto', log: (l) => lines.push(l) });
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(info.version, /^\d+\.\d+\.\d+$/);
    const native = nativeStatus();
    if (native.available) {
      // the native kernels addon is built: its threads, one line naming its instruction set
      assert.equal(info.threads, nativeThreadSetting());
      assert.deepEqual(info.native, { active: true, isa: native.isa, threads: info.threads });
      assert.deepEqual(lines, [
        `[ml] backend wasm 4.22.0, native kernels (${native.isa}), ${info.threads} thread${info.threads === 1 ? '' : 's'}`,
      ]);
    } else {
      assert.equal(info.threads, 1);
      assert.equal(info.native.active, false);
      assert.equal(lines.length, 1);
      assert.match(
        lines[0]!,
        /^\[ml\] backend wasm 4\.22\.0, 1 thread \(native kernels (disabled by WT_NATIVE=0|unavailable: .*; using the wasm kernels)\)$/,
      );
    }
    await initBackend({ log: (l) => lines.push(l) });
    assert.equal(lines.length, 1);
    assert.equal(backendInfo().name, 'wasm');
  });

  it('honours WT_BACKEND and keeps the cpu backend quiet', async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...a: unknown[]) => warnings.push(a);
    process.env.WT_BACKEND = 'cpu';
    try {
      const info = await initBackend({ log: () => {} });
      assert.equal(info.name, 'cpu');
      tf.tensor1d([1, 2]).square().dataSync();
    } finally {
      console.warn = warn;
      delete process.env.WT_BACKEND;
    }
    assert.deepEqual(warnings, []);
  });
});
