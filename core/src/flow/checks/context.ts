import type { Registry } from '../../registry/registry';
import type { SchemaCompiler } from '../../registry/schema-compiler';
import type { RegistryComponent } from '../../registry/types';
import type { Reporter } from '../reporter';
import type { FlowSource } from '../types';

/** What every flow check reads, and the reporter it writes findings to. */
export interface CheckContext {
  readonly source: FlowSource;
  readonly registry: Registry;
  readonly compiler: SchemaCompiler;
  readonly reporter: Reporter;
}

/** The components whose type is known and available, by component name. */
export type TypedComponents = ReadonlyMap<string, RegistryComponent>;

export const componentPath = (name: string, ...rest: (string | number)[]): (string | number)[] => ['components', name, ...rest];
