import fs from 'node:fs';
import path from 'node:path';
import { SCAFFOLD_KINDS, type ScaffoldKind } from '../api/component';
import { FlowcastError } from '../errors/flowcast-error';
import { TYPE_NAME } from '../registry/descriptor-checks';

/** npm's rule for new package names: lower case, URL-safe, optionally scoped, at most 214 characters. */
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
const MAX_PACKAGE_NAME = 214;

/** Everything about the new plugin that follows from the command line. */
export interface PluginNames {
  /** The npm package name. */
  packageName: string;
  /** The component type, kebab-case. */
  type: string;
  kind: ScaffoldKind;
  /** Absolute directory to write the package into. */
  directory: string;
  /** The component class: `EncoderFlac`. */
  className: string;
  /** The descriptor constant: `encoderFlac`. */
  descriptorName: string;
}

export interface NameOptions {
  kind?: string;
  type?: string;
  dir?: string;
}

function refuse(reason: string, fix?: string): FlowcastError {
  return new FlowcastError('FC_SCAFFOLD', reason, fix ? { fix } : {});
}

/** `@acme/flowcast-encoder-flac` → `flowcast-encoder-flac`. */
export function lastSegment(packageName: string): string {
  return packageName.slice(packageName.lastIndexOf('/') + 1);
}

/** The type a package name suggests: its last segment without a leading `flowcast-`. */
export function defaultType(packageName: string): string {
  return lastSegment(packageName).replace(/^flowcast-/, '');
}

/** The kind a type names by its first word (`encoder-flac` → encoder), if it does. */
export function kindFromType(type: string): ScaffoldKind | undefined {
  const prefix = type.split('-')[0];
  return SCAFFOLD_KINDS.find((kind) => kind === prefix);
}

function words(type: string): string[] {
  return type.split('-');
}

export function className(type: string): string {
  return words(type)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export function descriptorName(type: string): string {
  const name = className(type);
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Check the name, type, kind and directory; nothing is written before all of them are right. */
export function resolveNames(name: string | undefined, options: NameOptions, cwd: string): PluginNames {
  if (!name) throw refuse('give the npm package name of the new plugin, as in `flowcast plugin new flowcast-encoder-flac`');
  if (!PACKAGE_NAME.test(name) || name.length > MAX_PACKAGE_NAME) {
    throw refuse(`"${name}" is not a valid npm package name`, 'use lower-case letters, digits and dashes, optionally with a scope: `flowcast-encoder-flac` or `@acme/encoder-flac`');
  }
  const type = options.type ?? defaultType(name);
  if (!TYPE_NAME.test(type)) {
    throw refuse(
      `the component type "${type}"${options.type ? '' : ` (from the package name "${name}")`} is not kebab-case`,
      'pass --type with lower-case words joined by dashes, starting with a letter, such as `--type encoder-flac`',
    );
  }
  let kind: ScaffoldKind | undefined;
  if (options.kind !== undefined) {
    kind = SCAFFOLD_KINDS.find((k) => k === options.kind);
    if (!kind) throw refuse(`unknown kind "${options.kind}"`, `pass --kind with one of ${SCAFFOLD_KINDS.join(', ')}`);
  } else {
    kind = kindFromType(type);
    if (!kind) throw refuse(`the type "${type}" does not say which kind of component it is`, `pass --kind with one of ${SCAFFOLD_KINDS.join(', ')}`);
  }
  const directory = path.resolve(cwd, options.dir ?? lastSegment(name));
  checkDirectory(directory);
  return { packageName: name, type, kind, directory, className: className(type), descriptorName: descriptorName(type) };
}

/** The directory may be missing or empty; anything in it might be someone's work. */
export function checkDirectory(directory: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw refuse(`${directory} exists and is not a directory`, 'choose another place with --dir');
    throw refuse(`cannot read ${directory}: ${(error as Error).message}`);
  }
  if (entries.length > 0) throw refuse(`${directory} is not empty`, 'choose an empty or new directory with --dir; nothing was written');
}
