import fs from 'node:fs';
import path from 'node:path';

/**
 * The flows an operator stopped (admin API or `flowcast flow stop`), kept in a small JSON file so
 * that a stopped flow stays stopped when `flowcast serve` restarts, until it is started again.
 */
export class HeldFlows {
  private readonly names: Set<string>;

  constructor(private readonly file: string) {
    this.names = new Set(readNames(file));
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  set(name: string, held: boolean): void {
    if (held === this.names.has(name)) return;
    if (held) this.names.add(name);
    else this.names.delete(name);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify({ stopped: [...this.names].sort() }, null, 2) + '\n');
    fs.renameSync(temporary, this.file);
  }
}

function readNames(file: string): string[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { stopped?: unknown };
    return Array.isArray(parsed.stopped) ? parsed.stopped.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}
