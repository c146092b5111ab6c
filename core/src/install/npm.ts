import { spawn } from 'node:child_process';

export interface NpmResult {
  ok: boolean;
  /** npm's own output, for the error message when it failed. */
  output: string;
}

/**
 * Run npm in the project directory. Its output is kept, not shown: the caller reports what
 * happened in Flowcast's words and adds npm's last lines only when npm itself failed.
 */
export function runNpm(projectRoot: string, args: string[], env: NodeJS.ProcessEnv): Promise<NpmResult> {
  return new Promise((resolve) => {
    const child = spawn('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', (error) => resolve({ ok: false, output: `could not run npm: ${error.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

/** The last lines of npm's output that say something (npm repeats config warnings on every run). */
export function npmTail(output: string, lines = 8): string {
  return output
    .split('\n')
    .filter((line) => line.trim() && !/Unknown (user|env) config/.test(line))
    .slice(-lines)
    .join('\n');
}
