import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { scanManifestModule } from '../src/registry/scan';

function manifest(source: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-scan-')), 'index.js');
  fs.writeFileSync(file, source);
  return file;
}

test('a plugin that hangs on import is reported in words, not as "spawnSync ETIMEDOUT"', () => {
  const result = scanManifestModule(manifest('Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n'), { timeoutMs: 1000, maxOutput: 1024 * 1024 });
  assert.equal(result.ok, false);
  const error = (result as { error: string }).error;
  assert.match(error, /loading it did not finish within 1 s \(it hangs on import/);
  assert.doesNotMatch(error, /ETIMEDOUT/);
});

test('a plugin that floods its output on import is reported in words, not as "ENOBUFS"', () => {
  const result = scanManifestModule(manifest("for (let i = 0; i < 200; i++) console.log('x'.repeat(10000));\nmodule.exports = { default: { components: [] } };\n"), { timeoutMs: 10_000, maxOutput: 64 * 1024 });
  assert.equal(result.ok, false);
  const error = (result as { error: string }).error;
  assert.match(error, /it printed more than 64 KB while loading \(does it log in a loop on import\?\)/);
  assert.doesNotMatch(error, /ENOBUFS/);
});
