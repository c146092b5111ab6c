import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { MANAGER_V8_FLAGS } from '../runtime/node-flags';
import { CORE_VERSION } from '../version';
import { EXIT, type CommandIO } from './io';

/*
 * Each command's module is loaded when that command runs, not before: a flow process
 * (`flowcast run`) would otherwise carry the code of every other command (the manager, the admin
 * API and its metrics, the scaffolder, the installer) for its whole life, about 13 MB of resident
 * memory for nothing (bench/README.md, "An idle flow process").
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const commands = {
  run: () => require('./commands/run') as typeof import('./commands/run'),
  serve: () => require('./commands/serve') as typeof import('./commands/serve'),
  validate: () => require('./commands/validate') as typeof import('./commands/validate'),
  registry: () => require('./commands/registry') as typeof import('./commands/registry'),
  inspect: () => require('./commands/inspect') as typeof import('./commands/inspect'),
  schema: () => require('./commands/schema') as typeof import('./commands/schema'),
  latency: () => require('./commands/latency') as typeof import('./commands/latency'),
  devices: () => require('./commands/devices') as typeof import('./commands/devices'),
  plugin: () => require('./commands/plugin') as typeof import('./commands/plugin'),
  archive: () => require('./commands/archive') as typeof import('./commands/archive'),
  token: () => require('./commands/token') as typeof import('./commands/token'),
  remote: () => require('./commands/remote') as typeof import('./commands/remote'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

const MAIN_HELP = `Usage: flowcast COMMAND [OPTIONS]

Flowcast ${CORE_VERSION}: live and on-demand streaming on GStreamer.

Commands:
  run [FILE]         run a flow (default: flows/default.yaml) until Ctrl-C
  serve [FILE|DIR...]
                     run a station: every flow (default: flows/) in its own worker,
                     restarted when it fails, reloaded when its file changes
  validate FILE...   check flow files and report every error
  registry           list the component types this project can use
  inspect TYPE       show a component type's eaters, feeders and properties
  schema             write the JSON Schema of flow files, for editors
  plugin new|add|remove|list
                     scaffold, install, remove and list plugins
  devices            list cameras and audio inputs, with the flow component for each
  latency URL        measure how far behind live a listener hears and sees a stream (producer-test marker)
  archive check|reindex DIR
                     check a recordings directory, or rebuild its index
  token create|list|revoke
                     tokens for the admin API and dashboard of \`serve\`
  status             flows, moods, listeners and bitrates of a running server
  flow start|stop|restart NAME
                     start, stop or restart one flow of a running server
  set FLOW COMPONENT PROPERTY VALUE
                     change a property (live when it can), kept in the flow file
  listeners [MOUNT]  who listens (address, user agent, time, bytes, lag)
  kick FLOW COMPONENT ID
                     disconnect one listener
  logs [-f]          the server's log (follow it with -f)

Options for every command:
  --project DIR      the project directory (default: nearest package.json above the cwd)
  --help             help for the command
  --version          print the version

Run \`flowcast COMMAND --help\` for a command's options.`;

const HELP: Record<string, () => string> = {
  run: () => commands.run().RUN_HELP,
  serve: () => commands.serve().SERVE_HELP,
  validate: () => commands.validate().VALIDATE_HELP,
  registry: () => commands.registry().REGISTRY_HELP,
  inspect: () => commands.inspect().INSPECT_HELP,
  schema: () => commands.schema().SCHEMA_HELP,
  plugin: () => commands.plugin().PLUGIN_HELP,
  devices: () => commands.devices().DEVICES_HELP,
  latency: () => commands.latency().LATENCY_HELP,
  archive: () => commands.archive().ARCHIVE_HELP,
  token: () => commands.token().TOKEN_HELP,
  status: () => commands.remote().REMOTE_HELP,
  flow: () => commands.remote().REMOTE_HELP,
  set: () => commands.remote().REMOTE_HELP,
  listeners: () => commands.remote().REMOTE_HELP,
  kick: () => commands.remote().REMOTE_HELP,
  logs: () => commands.remote().REMOTE_HELP,
};

export async function main(argv: string[], io: CommandIO = processIO(), signals: NodeJS.EventEmitter = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        project: { type: 'string' },
        update: { type: 'boolean' },
        check: { type: 'boolean' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        kind: { type: 'string' },
        type: { type: 'string' },
        dir: { type: 'string' },
        core: { type: 'string' },
        seconds: { type: 'string' },
        role: { type: 'string' },
        follow: { type: 'boolean', short: 'f' },
        restart: { type: 'boolean' },
      },
    });
  } catch (error) {
    io.err(`flowcast: ${(error as Error).message} (flowcast --help)`);
    return EXIT.invalid;
  }
  const [command, ...rest] = parsed.positionals;
  const { values } = parsed;
  if (values.version) {
    io.out(CORE_VERSION);
    return EXIT.ok;
  }
  if (!command || (values.help && !HELP[command])) {
    (command || values.help ? io.out : io.err)(MAIN_HELP);
    return command || values.help ? EXIT.ok : EXIT.invalid;
  }
  if (values.help) {
    io.out(command === 'plugin' && rest[0] ? commands.plugin().pluginHelp(rest[0]) : HELP[command]!());
    return EXIT.ok;
  }
  const common = { ...(values.project ? { project: values.project } : {}) };
  switch (command) {
    case 'run':
      return commands.run().runCommand(rest[0], common, io, signals);
    case 'serve':
      // Before the manager's modules load, so that none of them is compiled for speed it does not need.
      v8.setFlagsFromString(MANAGER_V8_FLAGS);
      return commands.serve().serveCommand(rest, common, io, signals);
    case 'validate':
      return commands.validate().validateCommand(rest, common, io);
    case 'registry':
      return commands.registry().registryCommand({ ...common, update: values.update, check: values.check, json: values.json }, io);
    case 'inspect':
      return commands.inspect().inspectCommand(rest[0], common, io);
    case 'schema':
      return commands.schema().schemaCommand({ ...common, out: values.out, check: values.check }, io);
    case 'latency':
      return commands.latency().latencyCommand(rest[0], { seconds: values.seconds }, io);
    case 'devices':
      return commands.devices().devicesCommand({ json: values.json }, io);
    case 'plugin':
      return commands.plugin().pluginCommand(rest, { ...common, force: values.force, kind: values.kind, type: values.type, dir: values.dir, core: values.core, json: values.json }, io);
    case 'archive':
      return commands.archive().archiveCommand(rest, { json: values.json }, io);
    case 'token':
      return commands.token().tokenCommand(rest, { ...common, ...(values.role ? { role: values.role } : {}) }, io);
    case 'status':
    case 'flow':
    case 'set':
    case 'listeners':
    case 'kick':
    case 'logs':
      return commands.remote().remoteCommand(command, rest, { ...common, follow: values.follow ?? false, restart: values.restart ?? false }, io);
    default:
      io.err(`flowcast: unknown command "${command}" (flowcast --help)`);
      return EXIT.invalid;
  }
}

function processIO(): CommandIO {
  return {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    cwd: process.cwd(),
  };
}
