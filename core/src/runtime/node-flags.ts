/**
 * The Node (V8) flags `flowcast run` runs with. A streamer with thousands of listeners allocates
 * in bursts as they connect, and V8 grows its young generation to 16 MB semi-spaces for good,
 * which costs several KB of resident memory per listener; 1 MB semi-spaces keep it small at a
 * small CPU cost. Flags must be on node's command line (V8 sizes its heap at start), so they are
 * in bin/flowcast.js's shebang and in every place that starts `node bin/flowcast.js` itself:
 * the root package.json's start script, the test kit, the benchmark, and the worker processes of
 * `flowcast serve` (core/src/manager/flow-supervisor.ts). core/test/node-flags.test.ts
 * keeps them the same.
 */
export const RUN_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];
