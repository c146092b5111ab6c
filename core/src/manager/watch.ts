import fs from 'node:fs';
import path from 'node:path';
import { isFlowFileName } from './flow-files';

/** Edits come as bursts of events (an editor writes, renames, chmods): act once they settle. */
const SETTLE_MS = 300;

/**
 * Watch flow files and directories of flow files; `changed` runs once per burst of changes. A
 * file is watched through its directory, so an editor that replaces it (write to a temporary
 * file, then rename) is still seen.
 */
export function watchFlowFiles(targets: readonly string[], changed: () => void, failed: (error: Error) => void): { close(): void } {
  let timer: NodeJS.Timeout | undefined;
  const poke = (): void => {
    clearTimeout(timer);
    timer = setTimeout(changed, SETTLE_MS);
  };
  const watchers: fs.FSWatcher[] = [];
  const directories = new Map<string, Set<string> | 'all'>();
  for (const target of targets) {
    if (fs.statSync(target).isDirectory()) directories.set(target, 'all');
    else {
      const dir = path.dirname(target);
      const names = directories.get(dir);
      if (names === 'all') continue;
      directories.set(dir, new Set([...(names ?? []), path.basename(target)]));
    }
  }
  for (const [dir, names] of directories) {
    try {
      const watcher = fs.watch(dir, (_event, name) => {
        if (!name) return poke();
        if (names === 'all' ? isFlowFileName(name) : names.has(name)) poke();
      });
      watcher.on('error', failed);
      watchers.push(watcher);
    } catch (error) {
      failed(error as Error);
    }
  }
  return {
    close: () => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
