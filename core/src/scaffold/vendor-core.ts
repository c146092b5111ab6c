import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlowcastError } from '../errors/flowcast-error';
import { CORE_DIRECTORY } from '../version';

const PACK_TIMEOUT_MS = 120_000;

/**
 * Pack the running core's own package into a temporary directory and return the tarball's path.
 * Core is not on a registry yet: a new plugin installs it from this tarball, so neither `npm
 * install` nor the plugin's tests need a Flowcast checkout beside them. Works the same whether
 * core runs from a checkout or from an installed tarball in some node_modules.
 */
export function packCore(): string {
  const destination = fs.mkdtempSync(path.join(os.tmpdir(), 'flowcast-core-pack-'));
  const result = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: CORE_DIRECTORY,
    encoding: 'utf8',
    timeout: PACK_TIMEOUT_MS,
  });
  const fix = 'check that npm works here, or pass --core SPEC (such as --core ^0.1.0) to depend on a published core';
  if (result.error) throw new FlowcastError('FC_SCAFFOLD', `could not run npm pack for @flowcast/core: ${result.error.message}`, { fix });
  let filename: string | undefined;
  try {
    filename = (JSON.parse(result.stdout) as { filename?: string }[])[0]?.filename;
  } catch {
    filename = undefined;
  }
  const tarball = filename ? path.join(destination, path.basename(filename)) : undefined;
  if (result.status !== 0 || !tarball || !fs.existsSync(tarball)) {
    const output = `${result.stderr ?? ''}`.trim().split('\n').slice(-5).join(' / ');
    throw new FlowcastError('FC_SCAFFOLD', `npm pack of @flowcast/core in ${CORE_DIRECTORY} failed (exit ${result.status}): ${output}`, { fix });
  }
  return tarball;
}
