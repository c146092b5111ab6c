import { spawnSync } from 'node:child_process';
import path from 'node:path';

export type ScanResult = { ok: true; components: unknown[] } | { ok: false; error: string };

const SCAN_TIMEOUT_MS = 15_000;
/** What a manifest module may print while it loads; more is a plugin gone wrong. */
const SCAN_MAX_OUTPUT = 4 * 1024 * 1024;

/** Load a manifest module in a child process and return what it exports. */
export function scanManifestModule(manifestModule: string, limits: { timeoutMs: number; maxOutput: number } = { timeoutMs: SCAN_TIMEOUT_MS, maxOutput: SCAN_MAX_OUTPUT }): ScanResult {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'scan-child.js'), manifestModule], {
    encoding: 'utf8',
    timeout: limits.timeoutMs,
    maxBuffer: limits.maxOutput,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.error) return { ok: false, error: `could not load ${manifestModule}: ${scanFailure(child.error as NodeJS.ErrnoException, limits)}` };
  const line = child.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(line) as { ok: boolean; components?: unknown; error?: string };
    if (!parsed.ok) return { ok: false, error: `loading ${manifestModule} failed: ${parsed.error}` };
    if (!Array.isArray(parsed.components)) return { ok: false, error: `${manifestModule} must export default definePlugin({ components: [...] })` };
    return { ok: true, components: parsed.components };
  } catch {
    const why = child.signal ? `was killed by ${child.signal}` : `exited with code ${child.status}`;
    return { ok: false, error: `loading ${manifestModule} ${why}: ${child.stderr.trim().split('\n')[0] ?? ''}` };
  }
}

/** spawnSync's error codes, said in words (the operator reads "ETIMEDOUT" as a network problem). */
function scanFailure(error: NodeJS.ErrnoException, limits: { timeoutMs: number; maxOutput: number }): string {
  switch (error.code) {
    case 'ETIMEDOUT':
      return `loading it did not finish within ${limits.timeoutMs / 1000} s (it hangs on import: does it wait for something, such as a device or the network, at load time?), so it was stopped`;
    case 'ENOBUFS':
      return `it printed more than ${Math.round(limits.maxOutput / 1024)} KB while loading (does it log in a loop on import?), so it was stopped`;
    default:
      return error.message;
  }
}
