import fs from 'node:fs';
import path from 'node:path';

/**
 * The flows an operator stopped (admin API or `flowcast flow stop`), by the absolute path of
 * their flow file, kept in a small JSON file so that a stopped flow stays stopped when
 * `flowcast serve` restarts, until it is started again.
 */
export class HeldFlows {
  private readonly files: Set<string>;

  constructor(private readonly stateFile: string) {
    this.files = new Set(readFiles(stateFile));
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  set(file: string, held: boolean): void {
    if (held === this.files.has(file)) return;
    if (held) this.files.add(file);
    else this.files.delete(file);
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ stopped: [...this.files].sort() }, null, 2) + '\n');
    fs.renameSync(temporary, this.stateFile);
  }
}

function readFiles(file: string): string[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { stopped?: unknown };
    return Array.isArray(parsed.stopped) ? parsed.stopped.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}
