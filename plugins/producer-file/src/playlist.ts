import fs from 'node:fs';
import path from 'node:path';
import { FlowcastError } from '@flowcast/core';

/** Names that are never media: hidden files, playlists' companions. */
const SKIPPED = /^\.|\.(txt|md|nfo|m3u8?|pls|cue|jpe?g|png|gif)$/i;

/**
 * The files `location` names: itself, or the files of the directory in name order (not its
 * subdirectories). Relative to the flow file's directory.
 */
export function playlistFiles(location: string, flowDirectory: string, component: string): string[] {
  const resolved = path.resolve(flowDirectory, location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    throw new FlowcastError('FC_PREFLIGHT', `component "${component}": ${resolved} does not exist`, {
      fix: 'Set location to a media file or a directory of media files (relative paths start at the flow file)',
      location: { component, property: 'location' },
    });
  }
  if (!stat.isDirectory()) return [resolved];
  const files = fs
    .readdirSync(resolved, { withFileTypes: true })
    .filter((e) => e.isFile() && !SKIPPED.test(e.name))
    .map((e) => path.join(resolved, e.name))
    .sort();
  if (files.length === 0) {
    throw new FlowcastError('FC_PREFLIGHT', `component "${component}": the directory ${resolved} has no media files`, {
      fix: 'Put media files in it, or set location to a file',
      location: { component, property: 'location' },
    });
  }
  return files;
}
