/**
 * Entry point of a flow's worker process, forked by `flowcast serve` with an IPC channel. The
 * worker lives only as long as its manager: when the channel closes (the manager exited, even
 * by `kill -9`), it stops its flow and exits, so no worker lingers as an orphan.
 */
import { Socket } from 'node:net';
import { createLogger, loggerOptionsFromEnvironment } from '../log/logger';
import { FlowWorker } from './flow-worker';
import { isManagerMessage, type WorkerMessage } from './messages';

/** How long a worker whose manager is gone may take to stop its flow before it just exits. */
const ORPHAN_EXIT_MS = 3000;

function main(): void {
  if (!process.send) {
    process.stderr.write('flowcast worker: start it with `flowcast serve`, not directly\n');
    process.exit(2);
  }
  const logger = createLogger(loggerOptionsFromEnvironment(process.env, process.stderr));
  const send = (message: WorkerMessage): void => {
    if (!process.connected) return;
    // Once stopped, leave as soon as the manager has the message.
    process.send!(message, undefined, {}, message.type === 'stopped' ? () => process.exit(0) : undefined);
  };
  const worker = new FlowWorker({ send }, process.env, logger);
  process.on('message', (message, handle) => {
    if (!isManagerMessage(message)) return;
    if (message.type === 'connection') {
      if (handle instanceof Socket) worker.accept(message, handle);
      return;
    }
    worker.handle(message);
  });
  process.on('disconnect', () => {
    setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
    void worker.stop().then(() => process.exit(0));
  });
  // Signals go to the manager, which stops its workers in order; a Ctrl-C on the terminal reaches
  // the whole process group, so a worker ignores it and waits for the manager's stop.
  process.on('SIGINT', () => {});
  process.on('SIGHUP', () => {});
  process.on('uncaughtException', (error) => {
    logger.error(`worker crashed: ${error.stack ?? error.message}`);
    process.exit(70);
  });
}

main();
