#!/usr/bin/env node
'use strict';
// Runs `node --test` over the compiled test files of the monorepo:
//   core/dist/test/**/*.test.js, plugins/*/dist/test/**/*.test.js, test/dist/**/*.test.js
// Node 20's --test does not expand globs, so the file list is collected here (sorted, so runs are
// reproducible). Extra arguments are passed to node before the files, e.g.
//   node scripts/run-tests.js --test-name-pattern=registry
// Tests run one file at a time: end-to-end tests open ports and run GStreamer pipelines.
// The run gets its own temporary directory (TMPDIR, which os.tmpdir(), npm and GStreamer honour),
// removed when it ends: test projects, npm installs and captured streams do not pile up in /tmp.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');

function testDirs() {
  const dirs = [path.join(root, 'core', 'dist', 'test'), path.join(root, 'test', 'dist')];
  const pluginsDir = path.join(root, 'plugins');
  let plugins = [];
  try {
    plugins = fs.readdirSync(pluginsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  plugins.sort();
  for (const name of plugins) dirs.push(path.join(pluginsDir, name, 'dist', 'test'));
  return dirs;
}

function collect(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(full);
  }
}

const files = [];
for (const dir of testDirs()) collect(dir, files);
const relative = [...new Set(files.map((f) => path.relative(root, f)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

if (relative.length === 0) {
  console.error('run-tests: FAILED: no *.test.js files found under core/dist/test, plugins/*/dist/test or test/dist.');
  console.error('run-tests: did the build (npx tsc -b) run and emit the tests?');
  process.exit(1);
}

// --test-concurrency exists since Node 20.10 / 21.0.
const [major, minor] = process.versions.node.split('.').map(Number);
const hasConcurrency = major > 20 || (major === 20 && minor >= 10);

const args = ['--test', '--test-reporter=spec'];
if (hasConcurrency) args.push('--test-concurrency=1');
args.push(...process.argv.slice(2), ...relative);

console.log(`run-tests: ${relative.length} test file(s)`);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-tests-'));
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TMPDIR: scratch } });
// KEEP_TEST_TMP=1 keeps it, to look at what a failing test left.
if (process.env.KEEP_TEST_TMP === '1') console.log(`run-tests: temporary files kept in ${scratch}`);
else fs.rmSync(scratch, { recursive: true, force: true });
if (result.error) {
  console.error(`run-tests: FAILED to start node --test: ${result.error.message}`);
  process.exit(1);
}
if (result.signal) {
  console.error(`run-tests: node --test was killed by ${result.signal}`);
  process.exit(1);
}
process.exit(result.status === null ? 1 : result.status);
