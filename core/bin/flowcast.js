#!/usr/bin/env -S node --max-semi-space-size=1
// Node flags: see core/src/runtime/node-flags.ts (env -S splits them, coreutils 8.30+).
'use strict';
// Each running pipeline keeps libuv pool threads busy: one blocked on its GStreamer bus and one per
// appsink pull. Node's default of 4 would starve file-system and DNS work after two flows, so raise
// it before anything touches the pool (the pool is created on first use).
process.env.UV_THREADPOOL_SIZE = process.env.UV_THREADPOOL_SIZE || '64';
require('../dist/src/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => { console.error(error && error.stack ? error.stack : String(error)); process.exitCode = 70; },
);
