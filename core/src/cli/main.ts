import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { MANAGER_V8_FLAGS } from '../runtime/node-flags';
import { CORE_VERSION } from '../version';
import { EXIT, type CommandIO } from './io';

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

/**
 * Each command's module, loaded only when that command runs: \`flowcast serve\`'s manager stays
 * small (no pipeline, plugin, scaffolding or archive code in it), and a short command starts fast.
 */
const HELP: Record<string, () => string> = {
  run: () => (require('./commands/run') as typeof import('./commands/run.js')).RUN_HELP,
  serve: () => (require('./commands/serve') as typeof import('./commands/serve.js')).SERVE_HELP,
  validate: () => (require('./commands/validate') as typeof import('./commands/validate.js')).VALIDATE_HELP,
  registry: () => (require('./commands/registry') as typeof import('./commands/registry.js')).REGISTRY_HELP,
  inspect: () => (require('./commands/inspect') as typeof import('./commands/inspect.js')).INSPECT_HELP,
  schema: () => (require('./commands/schema') as typeof import('./commands/schema.js')).SCHEMA_HELP,
  plugin: () => (require('./commands/plugin') as typeof import('./commands/plugin.js')).PLUGIN_HELP,
  devices: () => (require('./commands/devices') as typeof import('./commands/devices.js')).DEVICES_HELP,
  latency: () => (require('./commands/latency') as typeof import('./commands/latency.js')).LATENCY_HELP,
  archive: () => (require('./commands/archive') as typeof import('./commands/archive.js')).ARCHIVE_HELP,
  token: () => (require('./commands/token') as typeof import('./commands/token.js')).TOKEN_HELP,
  status: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
  flow: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
  set: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
  listeners: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
  kick: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
  logs: () => (require('./commands/remote') as typeof import('./commands/remote.js')).REMOTE_HELP,
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
    io.out(command === 'plugin' && rest[0] ? (require('./commands/plugin') as typeof import('./commands/plugin.js')).pluginHelp(rest[0]) : HELP[command]!());
    return EXIT.ok;
  }
  const common = { ...(values.project ? { project: values.project } : {}) };
  switch (command) {
    case 'run':
      return (require('./commands/run') as typeof import('./commands/run.js')).runCommand(rest[0], common, io, signals);
    case 'serve':
      // Before the manager's modules load, so that none of them is compiled for speed it does not need.
      v8.setFlagsFromString(MANAGER_V8_FLAGS);
      return (require('./commands/serve') as typeof import('./commands/serve.js')).serveCommand(rest, common, io, signals);
    case 'validate':
      return (require('./commands/validate') as typeof import('./commands/validate.js')).validateCommand(rest, common, io);
    case 'registry':
      return (require('./commands/registry') as typeof import('./commands/registry.js')).registryCommand({ ...common, update: values.update, check: values.check, json: values.json }, io);
    case 'inspect':
      return (require('./commands/inspect') as typeof import('./commands/inspect.js')).inspectCommand(rest[0], common, io);
    case 'schema':
      return (require('./commands/schema') as typeof import('./commands/schema.js')).schemaCommand({ ...common, out: values.out, check: values.check }, io);
    case 'latency':
      return (require('./commands/latency') as typeof import('./commands/latency.js')).latencyCommand(rest[0], { seconds: values.seconds }, io);
    case 'devices':
      return (require('./commands/devices') as typeof import('./commands/devices.js')).devicesCommand({ json: values.json }, io);
    case 'plugin':
      return (require('./commands/plugin') as typeof import('./commands/plugin.js')).pluginCommand(rest, { ...common, force: values.force, kind: values.kind, type: values.type, dir: values.dir, core: values.core, json: values.json }, io);
    case 'archive':
      return (require('./commands/archive') as typeof import('./commands/archive.js')).archiveCommand(rest, { json: values.json }, io);
    case 'token':
      return (require('./commands/token') as typeof import('./commands/token.js')).tokenCommand(rest, { ...common, ...(values.role ? { role: values.role } : {}) }, io);
    case 'status':
    case 'flow':
    case 'set':
    case 'listeners':
    case 'kick':
    case 'logs':
      return (require('./commands/remote') as typeof import('./commands/remote.js')).remoteCommand(command, rest, { ...common, follow: values.follow ?? false, restart: values.restart ?? false }, io);
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
