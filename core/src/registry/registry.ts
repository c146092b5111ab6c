import path from 'node:path';
import type { ComponentClass } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import type { RegistryComponent, RegistryFile } from './types';

/** Official plugins, so an unknown type can name the package that provides it. */
const KNOWN_PROVIDERS: Readonly<Record<string, string>> = {
  'producer-test': '@flowcast/producer-test',
  'producer-alsa': '@flowcast/producer-alsa',
  'producer-v4l': '@flowcast/producer-v4l',
  'encoder-vorbis': '@flowcast/encoder-vorbis',
  'encoder-opus': '@flowcast/encoder-opus',
  'muxer-ogg': '@flowcast/muxer-ogg',
  'streamer-http': '@flowcast/streamer-http',
};

/** The component types known to this project, read from registry.json or a fresh scan. */
export class Registry {
  private readonly byType: Map<string, RegistryComponent>;

  constructor(
    readonly projectRoot: string,
    readonly file: RegistryFile,
  ) {
    this.byType = new Map(file.components.map((c) => [c.type, c]));
  }

  list(): readonly RegistryComponent[] {
    return this.file.components;
  }

  find(type: string): RegistryComponent | undefined {
    return this.byType.get(type);
  }

  /** The package known to provide `type` when it is not installed here. */
  providerOf(type: string): string | undefined {
    const broken = this.file.packages.find((p) => p.problem && KNOWN_PROVIDERS[type] === p.name);
    return broken?.name ?? KNOWN_PROVIDERS[type];
  }

  /** Load a component's class: the only place plugin code enters the server process. */
  loadImplementation(type: string): ComponentClass {
    const component = this.byType.get(type);
    const pkg = this.file.packages.find((p) => p.name === component?.package);
    if (!component || !pkg) throw new FlowcastError('FC_UNKNOWN_TYPE', `unknown component type "${type}"`);
    const modulePath = path.resolve(this.projectRoot, pkg.path, component.implementation);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(modulePath) as { default?: unknown };
      const implementation = loaded.default ?? loaded;
      if (typeof implementation !== 'function') throw new Error(`${modulePath} has no default export class`);
      return implementation as ComponentClass;
    } catch (error) {
      throw new FlowcastError('FC_PLUGIN_LOAD', `component type "${type}" of ${pkg.name}: ${(error as Error).message}`, { cause: error });
    }
  }
}
