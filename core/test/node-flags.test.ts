import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RUN_NODE_FLAGS } from '../src/runtime/node-flags';
import { CORE_DIRECTORY } from '../src/version';

const BIN = path.join(CORE_DIRECTORY, 'bin', 'flowcast.js');

test('bin/flowcast.js runs node with the run flags, through its shebang', () => {
  const shebang = fs.readFileSync(BIN, 'utf8').split('\n')[0]!;
  assert.equal(shebang, `#!/usr/bin/env -S node ${RUN_NODE_FLAGS.join(' ')}`);
  // Executed directly (as npx and node_modules/.bin do), V8 really gets them.
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-shebang-')), 'probe.js');
  fs.writeFileSync(copy, `${shebang}\nprocess.stdout.write(JSON.stringify(process.execArgv));\n`, { mode: 0o755 });
  assert.deepEqual(JSON.parse(execFileSync(copy, { encoding: 'utf8' })), [...RUN_NODE_FLAGS]);
});

test('the repository start script passes the same flags', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(CORE_DIRECTORY, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.ok(pkg.scripts.start!.includes(`node ${RUN_NODE_FLAGS.join(' ')} core/bin/flowcast.js serve`), pkg.scripts.start);
});
