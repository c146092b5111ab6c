import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { SystemLimits } from '../api/services';

export interface FileLimit {
  soft: number;
  hard: number;
}

/** Node has no setrlimit, so the open-file limit is raised with util-linux's prlimit. */
export class ProcessLimits implements SystemLimits {
  ensureOpenFiles(count: number): { limit: number; raised: boolean } {
    const before = readFileLimit();
    if (!before || before.soft >= count) return { limit: before?.soft ?? Number.POSITIVE_INFINITY, raised: false };
    const isRoot = process.getuid?.() === 0;
    const hard = isRoot ? Math.max(before.hard, count) : before.hard;
    const soft = Math.min(count, hard);
    spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${soft}:${hard}`], { stdio: 'ignore', timeout: 5000 });
    const after = readFileLimit() ?? before;
    return { limit: after.soft, raised: after.soft > before.soft };
  }
}

/** The open-file limit in force, as /proc/self/limits gives it (undefined where it cannot be read). */
export function readFileLimit(): FileLimit | undefined {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line?.slice('Max open files'.length).trim().split(/\s+/) ?? []).map((v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v)));
    return soft !== undefined && hard !== undefined && !Number.isNaN(soft) ? { soft, hard } : undefined;
  } catch {
    return undefined;
  }
}
