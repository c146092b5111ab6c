import fs from 'node:fs';
import path from 'node:path';

/**
 * `plugin add --force` on a plugin made for another core records the exact version it was forced
 * for in the project's package.json (`flowcast.forcedCoreRange`), so the registry accepts that
 * version, and only that one: an upgrade of the plugin is checked again.
 *
 * npm would also refuse every later install in the project over the unmet peer range, so the
 * project's .npmrc gets `legacy-peer-deps=true` while a forced plugin is installed.
 */
const NPMRC_LINES = ['# added by `flowcast plugin add --force`: a plugin made for another core is installed', 'legacy-peer-deps=true'];

export function recordForcedCoreRange(projectRoot: string, name: string, version: string): void {
  updateForced(projectRoot, (forced) => ({ ...forced, [name]: version }));
  const npmrc = path.join(projectRoot, '.npmrc');
  const current = fs.existsSync(npmrc) ? fs.readFileSync(npmrc, 'utf8') : '';
  if (!current.includes(NPMRC_LINES[1]!)) fs.writeFileSync(npmrc, `${current}${current && !current.endsWith('\n') ? '\n' : ''}${NPMRC_LINES.join('\n')}\n`);
}

/** Forget a removed plugin; the .npmrc lines go with the last forced plugin. */
export function forgetForcedCoreRange(projectRoot: string, name: string): void {
  if (forcedCoreRanges(projectRoot)[name] === undefined) return;
  const remaining = updateForced(projectRoot, (forced) => Object.fromEntries(Object.entries(forced).filter(([key]) => key !== name)));
  if (Object.keys(remaining).length > 0) return;
  const npmrc = path.join(projectRoot, '.npmrc');
  if (!fs.existsSync(npmrc)) return;
  const kept = fs.readFileSync(npmrc, 'utf8').split('\n').filter((line) => !NPMRC_LINES.includes(line)).join('\n');
  if (kept.trim()) fs.writeFileSync(npmrc, kept);
  else fs.rmSync(npmrc);
}

export function forcedCoreRanges(projectRoot: string): Record<string, string> {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { flowcast?: { forcedCoreRange?: unknown } };
    const forced = json.flowcast?.forcedCoreRange;
    return forced && typeof forced === 'object' ? (forced as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function updateForced(projectRoot: string, change: (forced: Record<string, string>) => Record<string, string>): Record<string, string> {
  const file = path.join(projectRoot, 'package.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { flowcast?: Record<string, unknown> };
  const forced = change(forcedCoreRanges(projectRoot));
  const { forcedCoreRange: _old, ...rest } = json.flowcast ?? {};
  const flowcast = Object.keys(forced).length ? { ...rest, forcedCoreRange: forced } : rest;
  if (Object.keys(flowcast).length) json.flowcast = flowcast;
  else delete json.flowcast;
  fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  return forced;
}
