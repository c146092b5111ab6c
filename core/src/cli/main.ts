import { parseArgs } from 'node:util';
import { CORE_VERSION } from '../version';
import { DEVICES_HELP, devicesCommand } from './commands/devices';
import { ARCHIVE_HELP, archiveCommand } from './commands/archive';
import { INSPECT_HELP, inspectCommand } from './commands/inspect';
import { LATENCY_HELP, latencyCommand } from './commands/latency';
import { PLUGIN_HELP, pluginCommand } from './commands/plugin';
import { REGISTRY_HELP, registryCommand } from './commands/registry';
import { RUN_HELP, runCommand } from './commands/run';
import { SCHEMA_HELP, schemaCommand } from './commands/schema';
import { SERVE_HELP, serveCommand } from './commands/serve';
import { VALIDATE_HELP, validateCommand } from './commands/validate';
import { REMOTE_HELP, remoteCommand } from './commands/remote';
import { TOKEN_HELP, tokenCommand } from './commands/token';
import { pluginHelp } from './commands/plugin';
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

const HELP: Record<string, string> = {
  run: RUN_HELP,
  serve: SERVE_HELP,
  validate: VALIDATE_HELP,
  registry: REGISTRY_HELP,
  inspect: INSPECT_HELP,
  schema: SCHEMA_HELP,
  plugin: PLUGIN_HELP,
  devices: DEVICES_HELP,
  latency: LATENCY_HELP,
  archive: ARCHIVE_HELP,
  token: TOKEN_HELP,
  status: REMOTE_HELP,
  flow: REMOTE_HELP,
  set: REMOTE_HELP,
  listeners: REMOTE_HELP,
  kick: REMOTE_HELP,
  logs: REMOTE_HELP,
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
    io.out(command === 'plugin' && rest[0] ? pluginHelp(rest[0]) : HELP[command]!);
    return EXIT.ok;
  }
  const common = { ...(values.project ? { project: values.project } : {}) };
  switch (command) {
    case 'run':
      return runCommand(rest[0], common, io, signals);
    case 'serve':
      return serveCommand(rest, common, io, signals);
    case 'validate':
      return validateCommand(rest, common, io);
    case 'registry':
      return registryCommand({ ...common, update: values.update, check: values.check, json: values.json }, io);
    case 'inspect':
      return inspectCommand(rest[0], common, io);
    case 'schema':
      return schemaCommand({ ...common, out: values.out, check: values.check }, io);
    case 'latency':
      return latencyCommand(rest[0], { seconds: values.seconds }, io);
    case 'devices':
      return devicesCommand({ json: values.json }, io);
    case 'plugin':
      return pluginCommand(rest, { ...common, force: values.force, kind: values.kind, type: values.type, dir: values.dir, core: values.core, json: values.json }, io);
    case 'archive':
      return archiveCommand(rest, { json: values.json }, io);
    case 'token':
      return tokenCommand(rest, { ...common, ...(values.role ? { role: values.role } : {}) }, io);
    case 'status':
    case 'flow':
    case 'set':
    case 'listeners':
    case 'kick':
    case 'logs':
      return remoteCommand(command, rest, { ...common, follow: values.follow ?? false, restart: values.restart ?? false }, io);
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
