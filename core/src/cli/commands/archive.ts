import fs from 'node:fs';
import path from 'node:path';
import { checkArchive } from '../../archive/check';
import { reindexArchive } from '../../archive/reindex';
import { EXIT, type CommandIO } from '../io';

export const ARCHIVE_HELP = `Usage: flowcast archive check DIR [--json]
       flowcast archive reindex DIR

Work on a recordings directory written by recorder-disk.

  check DIR     read the catalog, each recording's index and its media, changing nothing: each
                recording's state (closed, or open: being written or interrupted), whether its
                file is whole (for Ogg: whole pages to its end) and of the catalog's size, and the
                index lines skipped (cut short by a crash, or damaged). --json for a machine.
  reindex DIR   rebuild every recording's index and the catalog from the media files (Ogg), when
                the index was lost or damaged. Stop the recorder writing there first.

Exit status: 0 when every recording is closed and whole (check) or the index was rebuilt
(reindex); 1 when check found a problem; 2 for a directory that does not exist.`;

export function archiveCommand(args: string[], options: { json?: boolean | undefined }, io: CommandIO): number {
  const [action, directoryArg] = args;
  if ((action !== 'check' && action !== 'reindex') || !directoryArg) {
    io.err('flowcast archive: say `check DIR` or `reindex DIR` (flowcast archive --help)');
    return EXIT.invalid;
  }
  const directory = path.resolve(io.cwd, directoryArg);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) {
    io.err(`flowcast archive: "${directory}" is not a directory. Fix: name the recorder's \`directory\`.`);
    return EXIT.invalid;
  }
  return action === 'check' ? check(directory, options.json === true, io) : reindex(directory, io);
}

function check(directory: string, json: boolean, io: CommandIO): number {
  const result = checkArchive(directory);
  const problems = result.recordings.filter((r) => r.problems.length > 0).length;
  if (json) io.out(JSON.stringify(result, null, 2));
  else {
    for (const { recording, problems: found, syncPoints } of result.recordings) {
      const state = recording.closed ? `closed (${recording.reason})` : 'OPEN';
      const span = recording.end !== undefined ? `${new Date(recording.start).toISOString()} – ${new Date(recording.end).toISOString()}` : `${new Date(recording.start).toISOString()} –`;
      io.out(`${recording.file}: ${state}, ${span}, ${recording.size ?? '?'} bytes, ${syncPoints} sync points${found.length ? `; ${found.join('; ')}` : ''}`);
    }
    for (const line of result.skipped) io.out(`${path.relative(directory, line.file)}:${line.line}: skipped a line that cannot be read: ${line.text.slice(0, 80)}`);
    for (const file of result.unknownFiles) io.out(`${file}: not in the catalog (\`flowcast archive reindex\` adds it)`);
    const closed = result.recordings.filter((r) => r.recording.closed).length;
    io.out(`${result.recordings.length} recordings, ${closed} closed, ${problems} with problems, ${result.skipped.length} index lines skipped`);
  }
  return problems === 0 && result.unknownFiles.length === 0 ? EXIT.ok : EXIT.failed;
}

function reindex(directory: string, io: CommandIO): number {
  const result = reindexArchive(directory);
  for (const r of result.indexed) io.out(`${r.file}: ${r.syncPoints} sync points, ${r.size} bytes`);
  for (const s of result.skipped) io.out(`${s.file}: left out: ${s.reason}`);
  io.out(`reindexed ${result.indexed.length} recordings`);
  return EXIT.ok;
}
