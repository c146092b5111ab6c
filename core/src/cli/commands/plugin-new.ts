import path from 'node:path';
import { SCAFFOLD_KINDS } from '../../api/component';
import { isFlowcastError } from '../../errors/flowcast-error';
import { tarballName } from '../../scaffold/package-files';
import type { PluginNames } from '../../scaffold/names';
import { prepareScaffold, writeScaffold, type ScaffoldResult } from '../../scaffold/scaffold';
import { EXIT, type CommandIO } from '../io';

export const PLUGIN_NEW_HELP = `Usage: flowcast plugin new NAME [--kind KIND] [--type TYPE] [--dir DIR] [--core SPEC]

Write a new plugin package, ready to build, test and pack: package.json, tsconfig.json, one
component (descriptor and class) made from a working template of its kind, its tests written with
the test kit (@flowcast/core/testing), a README and a .gitignore.

  NAME         the npm package name: flowcast-encoder-flac, @acme/encoder-flac
  --type TYPE  the component type (default: NAME's last segment without "flowcast-")
  --kind KIND  ${SCAFFOLD_KINDS.join(' | ')} (default: the type's first word)
  --dir DIR    where to write it (default: ./<NAME's last segment>); it must be new or empty
  --core SPEC  what the package installs as @flowcast/core to build and test (default: a tarball
               of this core, packed into DIR/vendor/, so no registry and no Flowcast checkout
               are needed)

Templates, with elements from gstreamer1.0-plugins-base and -good:
  producer   a live sine tone (audiotestsrc)
  converter  a gain in dB on raw audio (volume)
  encoder    FLAC, which muxer-ogg carries (flacenc)
  muxer      Matroska for encoded audio (matroskamux)
  consumer   a meter that counts buffers and bytes, reported by stats() (appsink)

Refused with nothing written (exit 2, FC_SCAFFOLD): an invalid name, type or kind, or a DIR that
is not empty.`;

export interface PluginNewOptions {
  project?: string;
  kind?: string;
  type?: string;
  dir?: string;
  core?: string;
}

export async function pluginNewCommand(name: string | undefined, options: PluginNewOptions, io: CommandIO): Promise<number> {
  const scaffoldOptions = {
    ...(options.kind !== undefined ? { kind: options.kind } : {}),
    ...(options.type !== undefined ? { type: options.type } : {}),
    ...(options.dir !== undefined ? { dir: options.dir } : {}),
    ...(options.core !== undefined ? { core: options.core } : {}),
  };
  let names: PluginNames;
  try {
    names = prepareScaffold(name, scaffoldOptions, io.cwd);
  } catch (error) {
    if (!isFlowcastError(error)) throw error;
    io.err(error.message);
    return EXIT.invalid;
  }
  let result: ScaffoldResult;
  try {
    result = writeScaffold(names, scaffoldOptions);
  } catch (error) {
    if (!isFlowcastError(error)) throw error;
    io.err(error.message);
    return EXIT.failed;
  }
  const { files } = result;
  const shown = path.relative(io.cwd, names.directory) || '.';
  const tarball = path.join(names.directory, tarballName(names.packageName));
  io.out(
    [
      `Wrote the ${names.kind} plugin ${names.packageName} (component type "${names.type}") in ${shown}/:`,
      ...files.map((file) => `  ${file}`),
      '',
      'Next:',
      `  cd ${shown} && npm install && npm test`,
      `  npm pack                     # builds and writes ${tarballName(names.packageName)}`,
      'then, in your Flowcast project:',
      `  npx flowcast plugin add ${tarball}`,
    ].join('\n'),
  );
  return EXIT.ok;
}
