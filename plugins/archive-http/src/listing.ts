import type { Recording } from '@flowcast/core';

export interface ListedRecording {
  file: string;
  url: string;
  type: string;
  /** ISO 8601, UTC. */
  start: string;
  /** ISO 8601, UTC; null while it is being written. */
  end: string | null;
  /** Seconds; null while it is being written. */
  duration: number | null;
  size: number | null;
  closed: boolean;
}

export function listed(recording: Recording, mount: string): ListedRecording {
  return {
    file: recording.file,
    url: `${mount}/${encodeURIComponent(recording.file)}`,
    type: recording.type,
    start: new Date(recording.start).toISOString(),
    end: recording.end !== undefined ? new Date(recording.end).toISOString() : null,
    duration: recording.end !== undefined ? (recording.end - recording.start) / 1000 : null,
    size: recording.size ?? null,
    closed: recording.closed,
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML and XML content and attribute values. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function formatBytes(size: number | null): string {
  if (size === null) return 'recording…';
  return size >= 1 << 20 ? `${(size / (1 << 20)).toFixed(1)} MiB` : `${(size / 1024).toFixed(0)} KiB`;
}

/** A plain HTML page listing the recordings, newest first, each with a player link. */
export function htmlIndex(title: string, mount: string, recordings: ListedRecording[]): string {
  const rows = [...recordings]
    .reverse()
    .map(
      (r) =>
        `<tr><td><a href="${escapeMarkup(r.url)}">${escapeMarkup(r.file)}</a></td><td>${escapeMarkup(r.start)}</td><td>${r.duration === null ? '' : r.duration.toFixed(0) + ' s'}</td><td>${formatBytes(r.size)}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeMarkup(title)}</title></head>
<body>
<h1>${escapeMarkup(title)}</h1>
<p>${recordings.length} recordings. Listen again from any time: <code>${escapeMarkup(mount)}?start=2026-12-01T10:00:00Z&amp;duration=3600</code>. As JSON: <a href="${escapeMarkup(mount)}/index.json">index.json</a>.</p>
<table>
<thead><tr><th>recording</th><th>start (UTC)</th><th>duration</th><th>size</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
