import path from 'node:path';
import type { ComponentClass } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import type { RegistryComponent, RegistryFile, RegistryPackage } from './types';

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

/** What a type name written in a flow refers to. */
export type TypeLookup =
  | { kind: 'found'; component: RegistryComponent }
  | { kind: 'ambiguous'; candidates: RegistryComponent[] }
  | { kind: 'missing' };

/** `encoder-opus` or `@acme/flowcast-opus/encoder-opus`: the package is everything before the last slash. */
export function splitTypeName(name: string): { package?: string; type: string } {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? { type: name } : { package: name.slice(0, slash), type: name.slice(slash + 1) };
}

export function qualifiedName(component: Pick<RegistryComponent, 'package' | 'type'>): string {
  return `${component.package}/${component.type}`;
}

/**
 * The component types known to this project, read from registry.json or a fresh scan.
 * `PACKAGE/TYPE` always names one component; the short `TYPE` works while one package provides it.
 */
export class Registry {
  constructor(
    readonly projectRoot: string,
    readonly file: RegistryFile,
  ) {}

  list(): readonly RegistryComponent[] {
    return this.file.components;
  }

  lookup(name: string): TypeLookup {
    const wanted = splitTypeName(name);
    const candidates = this.file.components.filter((c) => c.type === wanted.type && (wanted.package === undefined || c.package === wanted.package));
    if (candidates.length === 1) return { kind: 'found', component: candidates[0]! };
    return candidates.length > 1 ? { kind: 'ambiguous', candidates } : { kind: 'missing' };
  }

  /** The one component `name` refers to, or undefined when it is unknown or ambiguous. */
  find(name: string): RegistryComponent | undefined {
    const found = this.lookup(name);
    return found.kind === 'found' ? found.component : undefined;
  }

  /** Whether `name` can be written short: exactly one package provides it. */
  isUnique(type: string): boolean {
    return this.file.components.filter((c) => c.type === type).length === 1;
  }

  /** Plugin packages that could not be read, loaded or checked, with their reason. */
  brokenPackages(): readonly RegistryPackage[] {
    return this.file.packages.filter((p) => p.problem !== undefined);
  }

  /** The broken package that declares `type`, when its manifest could still be read. */
  brokenProviderOf(name: string): RegistryPackage | undefined {
    const wanted = splitTypeName(name);
    return this.brokenPackages().find((p) => (wanted.package === undefined || p.name === wanted.package) && (p.types ?? []).includes(wanted.type));
  }

  /** The package known to provide `type` when it is not installed here. */
  providerOf(type: string): string | undefined {
    return KNOWN_PROVIDERS[splitTypeName(type).type];
  }

  /** Load a component's class: the only place plugin code enters the server process. */
  loadImplementation(component: RegistryComponent): ComponentClass {
    const pkg = this.file.packages.find((p) => p.name === component.package);
    if (!pkg) throw new FlowcastError('FC_UNKNOWN_TYPE', `unknown component type "${qualifiedName(component)}"`);
    const modulePath = path.resolve(this.projectRoot, pkg.path, component.implementation);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const loaded = require(modulePath) as { default?: unknown };
      const implementation = loaded.default ?? loaded;
      if (typeof implementation !== 'function') throw new Error(`${modulePath} has no default export class`);
      return implementation as ComponentClass;
    } catch (error) {
      throw new FlowcastError('FC_PLUGIN_LOAD', `component type "${component.type}" of ${pkg.name}: ${(error as Error).message}`, { cause: error });
    }
  }
}
