import fs from 'node:fs';
import path from 'node:path';

const LOCK_FILE = '.recorder.pid';

/**
 * One recorder per directory, across processes: at start-up a recorder closes the recordings it
 * finds open, which would cut another recorder's file in progress. The lock is a file holding the
 * owner's process id; one left by a process that is gone (a crash) is taken over.
 */
export class DirectoryLock {
  private readonly file: string;
  private held = false;

  constructor(directory: string) {
    this.file = path.join(directory, LOCK_FILE);
  }

  /** The process id of another live recorder holding the directory, if any. */
  holder(): number | undefined {
    let pid: number;
    try {
      pid = Number(fs.readFileSync(this.file, 'utf8').trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
    try {
      process.kill(pid, 0);
      return pid;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
    }
  }

  take(): void {
    fs.writeFileSync(this.file, `${process.pid}\n`);
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      if (fs.readFileSync(this.file, 'utf8').trim() === String(process.pid)) fs.rmSync(this.file);
    } catch {
      // Already gone.
    }
  }
}
