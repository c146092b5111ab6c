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

/**
 * V8 flags the manager of `flowcast serve` sets for itself (v8.setFlagsFromString, in cli/main.ts
 * before the serve command's modules load; its workers, forked with RUN_NODE_FLAGS, run as
 * `flowcast run` does). The manager holds no pipeline: it validates flow files, pings workers,
 * passes connections on and answers the admin API, none of it hot enough to gain from V8's
 * optimizing compilers (TurboFan, Maglev), whose code pages and working memory cost it about
 * 7 MB of its resident memory (bench/RESULTS-serve.md). Only these two: `--lite-mode`, set at
 * that point, crashed node.
 */
export const MANAGER_V8_FLAGS = '--no-opt --no-maglev';
