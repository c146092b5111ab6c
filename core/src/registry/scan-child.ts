/**
 * Reads one plugin's manifest module in a child process, so a plugin that throws, hangs or exits
 * on import cannot take the registry (or the server) down with it. Prints one JSON line.
 */
import path from 'node:path';

function main(manifestModule: string): void {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(manifestModule) as { default?: unknown };
    const manifest = (loaded.default ?? loaded) as { components?: Array<{ implementation?: unknown }> };
    const base = path.dirname(manifestModule);
    const components = Array.isArray(manifest.components)
      ? manifest.components.map((component) => ({
          ...component,
          implementation: typeof component.implementation === 'string' ? path.resolve(base, component.implementation) : component.implementation,
        }))
      : manifest.components;
    process.stdout.write(JSON.stringify({ ok: true, components }) + '\n');
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stdout.write(JSON.stringify({ ok: false, error: message }) + '\n');
  }
}

main(process.argv[2] ?? '');
