import fs from 'node:fs';
import path from 'node:path';

export const PLUGIN_KEYWORD = 'flowcast-plugin';
export const CORE_PACKAGE = '@flowcast/core';

/** A package.json that declares itself a Flowcast plugin. */
export interface PluginPackage {
  name: string;
  version: string;
  directory: string;
  /** Absolute path of the manifest module named by the `flowcast.manifest` key. */
  manifestModule: string;
  coreRange: string;
}

export type PackageReadResult =
  | { kind: 'plugin'; plugin: PluginPackage }
  | { kind: 'not-a-plugin' }
  | { kind: 'broken'; name: string; version: string; directory: string; problem: string };

interface PackageJson {
  name?: unknown;
  version?: unknown;
  keywords?: unknown;
  flowcast?: unknown;
  peerDependencies?: Record<string, unknown>;
}

/**
 * Read a package directory. It is a plugin when its package.json has the `flowcast` key; the
 * keyword and the peer range on core are then required, and their absence is reported as broken.
 */
export function readPluginPackage(directory: string): PackageReadResult {
  const file = path.join(directory, 'package.json');
  let json: PackageJson;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return { kind: 'not-a-plugin' };
  }
  if (json.flowcast === undefined) return { kind: 'not-a-plugin' };
  const name = typeof json.name === 'string' ? json.name : path.basename(directory);
  const version = typeof json.version === 'string' ? json.version : '0.0.0';
  const broken = (problem: string): PackageReadResult => ({ kind: 'broken', name, version, directory, problem });

  const manifest = json.flowcast as { manifest?: unknown };
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.manifest !== 'string') {
    return broken(`${file}: the "flowcast" key must be an object with "manifest": "<path of the manifest module>"`);
  }
  if (!Array.isArray(json.keywords) || !json.keywords.includes(PLUGIN_KEYWORD)) {
    return broken(`${file}: add "${PLUGIN_KEYWORD}" to "keywords"`);
  }
  const coreRange = json.peerDependencies?.[CORE_PACKAGE];
  if (typeof coreRange !== 'string') {
    return broken(`${file}: declare "peerDependencies": { "${CORE_PACKAGE}": "<range>" }`);
  }
  return {
    kind: 'plugin',
    plugin: { name, version, directory, manifestModule: path.resolve(directory, manifest.manifest), coreRange },
  };
}
