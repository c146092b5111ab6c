/** Where a command writes: results to `out`, diagnostics and logs to `err`. */
export interface CommandIO {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** Exit codes: 0 success, 1 failure while running, 2 invalid input (usage, flow file). */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
