/**
 * The encode in a bare Node process: gstreamer-superficial (the binding Flowcast uses) running the
 * gst-launch-1.0 reference's description into fakesink, and nothing else. Measured beside Flowcast
 * and gst-launch-1.0 in the idle rounds, it splits the framework overhead in two: what hosting
 * GStreamer in Node costs, and what Flowcast adds on top.
 *
 *   node node-host.js   (runs until SIGTERM)
 */
import { FAKESINK, gstLaunchArgs } from './encode';

interface Pipeline {
  play(): void;
  stop(): void;
  pollBus(callback: (message: { type: string; message?: string }) => void): void;
}

// Resolved from the repository's node_modules, as core resolves it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gst = require('gstreamer-superficial') as { Pipeline: new (description: string) => Pipeline };
const description = gstLaunchArgs(FAKESINK)
  .filter((arg) => arg !== '-q')
  .join(' ');
const pipeline = new gst.Pipeline(description);
pipeline.pollBus((message) => {
  if (message.type === 'error') {
    console.error(`node-host: ${message.message ?? 'GStreamer error'}`);
    process.exit(1);
  }
});
pipeline.play();
// Keep the process alive as Flowcast's own timers do (the sweep), once a second.
const keepAlive = setInterval(() => undefined, 1000);
process.on('SIGTERM', () => {
  clearInterval(keepAlive);
  pipeline.stop();
  process.exit(0);
});
