import { addPlugin } from '../../install/add-plugin';
import { busyMessage, isBusy, withInstallLock } from '../../install/install-lock';
import { CORE_DIRECTORY, CORE_VERSION } from '../../version';
import { defaultFix } from '../../errors/codes';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot } from '../project';

export const PLUGIN_ADD_HELP = `Usage: flowcast plugin add SPEC [--force]

Install a plugin into this project with npm, then check it before anything uses it:
  - its manifest is well formed and every property schema compiles;
  - it is made for this core (@flowcast/core ${CORE_VERSION});
  - it does not bring its own copy of @flowcast/core, tsyringe or reflect-metadata;
  - its component types do not collide with installed ones;
  - the GStreamer elements it needs exist here.
A failed check puts the project back as it was (package.json, package-lock.json, registry.json
and node_modules). On success the registry is refreshed and the new components are listed.

SPEC is an npm package name (name or name@version), a tarball made by \`npm pack\`, or a directory.

  --force   install even if the plugin targets another core, collides with an installed type
            (flows then write PACKAGE/TYPE), or needs missing GStreamer elements; each waived
            check is printed as a warning`;

export async function pluginAddCommand(spec: string | undefined, options: { project?: string; force?: boolean }, io: CommandIO): Promise<number> {
  if (!spec) {
    io.err('flowcast plugin add: name the plugin to install (npm name, tarball or directory)');
    return EXIT.invalid;
  }
  const projectRoot = findProjectRoot(options.project, io.cwd);
  io.err(`installing ${spec} into ${projectRoot} …`);
  const result = await withInstallLock(projectRoot, () =>
    addPlugin({ projectRoot, spec, cwd: io.cwd, force: options.force === true, env: io.env, coreVersion: CORE_VERSION, coreDirectory: CORE_DIRECTORY }),
  );
  if (isBusy(result)) {
    io.err(busyMessage(result.pid));
    return EXIT.failed;
  }
  if (!result.ok) {
    for (const problem of result.problems) io.err(`${problem.code}: ${problem.reason}. Fix: ${problem.fix ?? defaultFix(problem.code)}`);
    io.err(`${spec} was not added; the project is unchanged`);
    return EXIT.failed;
  }
  for (const problem of result.waived) io.err(`warning: ${problem.code} waived by --force: ${problem.reason}`);
  if (result.waived.some((p) => p.code === 'FC_PLUGIN_CORE_RANGE')) {
    io.err('warning: npm cannot satisfy its peer range either, so legacy-peer-deps=true was written to the project\'s .npmrc (removed with the plugin)');
  }
  io.out(`added ${result.name} ${result.version}`);
  for (const c of result.components) {
    io.out(`  ${c.type}  (${c.kind})  ${c.available ? 'available' : `unavailable: ${c.reason}`}`);
  }
  return EXIT.ok;
}
