import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary project directory with an empty package.json. */
export function tempProject(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-project-'));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'project', version: '1.0.0' }));
  return root;
}

export interface PluginSpec {
  name: string;
  version?: string;
  coreRange?: string;
  keywords?: string[];
  /** The manifest module's source (CommonJS). */
  manifestSource?: string;
  components?: unknown[];
  /** Extra package.json fields (dependencies, bundleDependencies…). */
  packageJson?: Record<string, unknown>;
  /** Other files of the package, by relative path. */
  files?: Record<string, string>;
}

/** An implementation module for `descriptor()`: a tone producer with no constructor arguments. */
export const TONE_IMPLEMENTATION = `class Tone {
  build(part) {
    const source = part.element('audiotestsrc', 'source', { 'is-live': true });
    part.feeder('default', source);
  }
}
module.exports = { default: Tone };
`;

/** Write a plain-JavaScript plugin package into `parent/<dir>` and return its directory. */
export function writePlugin(parent: string, spec: PluginSpec): string {
  const directory = path.join(parent, spec.name.replace(/[@/]/g, '_'));
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(
    path.join(directory, 'package.json'),
    JSON.stringify({
      name: spec.name,
      version: spec.version ?? '1.0.0',
      keywords: spec.keywords ?? ['flowcast-plugin'],
      flowcast: { manifest: 'manifest.js' },
      peerDependencies: { '@flowcast/core': spec.coreRange ?? '^0.1.0' },
      ...spec.packageJson,
    }),
  );
  for (const [name, content] of Object.entries(spec.files ?? {})) fs.writeFileSync(path.join(directory, name), content);
  const source = spec.manifestSource ?? `module.exports = { default: { components: ${JSON.stringify(spec.components ?? [])} } };`;
  fs.writeFileSync(path.join(directory, 'manifest.js'), source);
  return directory;
}

/** A minimal valid component descriptor. */
export function descriptor(type: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type,
    kind: 'producer',
    description: `the ${type} component`,
    eaters: [],
    feeders: [{ name: 'default', produces: ['audio/x-raw'] }],
    elements: ['audiotestsrc'],
    implementation: './impl.js',
    properties: { type: 'object', properties: { level: { type: 'number', default: 1, description: 'a level' } } },
    ...overrides,
  };
}
