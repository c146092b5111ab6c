import { spawnSync } from 'node:child_process';
import path from 'node:path';

export type ScanResult = { ok: true; components: unknown[] } | { ok: false; error: string };

const SCAN_TIMEOUT_MS = 15_000;

/** Load a manifest module in a child process and return what it exports. */
export function scanManifestModule(manifestModule: string): ScanResult {
  const child = spawnSync(process.execPath, [path.join(__dirname, 'scan-child.js'), manifestModule], {
    encoding: 'utf8',
    timeout: SCAN_TIMEOUT_MS,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (child.error) return { ok: false, error: `could not load ${manifestModule}: ${child.error.message}` };
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
