import fs from 'node:fs';
import path from 'node:path';
import { defaultFix } from '../errors/codes';

/** Why the lock could not be taken: another add or remove is changing the project. */
export interface LockBusy {
  busy: true;
  pid: number;
}

/**
 * Installs are serialised per project: two `plugin add` at once would each snapshot, install and
 * maybe roll back over the other. The lock is a file holding the owner's pid; a lock whose owner
 * is gone (killed mid-install) is taken over.
 */
export async function withInstallLock<T>(projectRoot: string, action: () => Promise<T>): Promise<T | LockBusy> {
  const file = path.join(projectRoot, 'node_modules', '.cache', 'flowcast', 'install.lock');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const owner = readOwner(file);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return { busy: true, pid: owner };
  fs.rmSync(file, { force: true });
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    return { busy: true, pid: readOwner(file) ?? 0 };
  }
  try {
    return await action();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export function busyMessage(pid: number): string {
  return `FC_PLUGIN_BUSY: another \`flowcast plugin add\` or \`remove\` (pid ${pid}) is changing this project. Fix: ${defaultFix('FC_PLUGIN_BUSY')}`;
}

export function isBusy(value: unknown): value is LockBusy {
  return typeof value === 'object' && value !== null && (value as { busy?: unknown }).busy === true;
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
