import type { ClaimSpec, ComponentKind, EaterSpec, FeederSpec } from '../api/component';
import type { PropertySchema } from '../api/schema';

/** A GStreamer element a component needs, with the Debian package that provides it. */
export interface ElementRequirement {
  element: string;
  debian?: string;
  /** Registered by the plugin itself when its implementation loads: not checked with gst-inspect-1.0. */
  bundled?: true;
}

/** One component as the registry knows it, without its code. */
export interface RegistryComponent {
  type: string;
  package: string;
  version: string;
  kind: ComponentKind;
  description: string;
  eaters: EaterSpec[];
  feeders: FeederSpec[];
  properties: PropertySchema;
  elements: ElementRequirement[];
  claims: ClaimSpec[];
  exclusive: string[][];
  /** The implementation module, relative to the package directory. */
  implementation: string;
  available: boolean;
  /** Why the component is unavailable, with the fix. */
  reason?: string;
}

/** A plugin package found by discovery. */
export interface RegistryPackage {
  name: string;
  version: string;
  /** Package directory relative to the project directory, with forward slashes. */
  path: string;
  /** Set when the package cannot be used; its components are then missing from `components`. */
  problem?: string;
  /** Set when the package is used although made for another core (`plugin add --force`). */
  forced?: string;
  /** The types a broken package declares, when its manifest could still be read. */
  types?: string[];
}

/** The content of registry.json. */
export interface RegistryFile {
  format: 1;
  packages: RegistryPackage[];
  components: RegistryComponent[];
}
