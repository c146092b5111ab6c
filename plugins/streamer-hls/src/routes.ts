/**
 * What a request path below the mount names. Only these shapes are served, so no request can
 * reach a file the component did not write (no "..", no other directory).
 */
export type Route =
  | { kind: 'master' }
  | { kind: 'playlist'; rendition: number }
  | { kind: 'segment'; rendition: number; file: string };

const MASTER = /^\/index\.m3u8$/;
const PLAYLIST = /^\/(\d{1,2})\/index\.m3u8$/;
const SEGMENT = /^\/(\d{1,2})\/([a-z0-9]+-\d{5}\.ts)$/;

/** `rest` is the request path after the mount, without the query. */
export function routeOf(rest: string, renditions: number): Route | undefined {
  if (MASTER.test(rest)) return { kind: 'master' };
  const playlist = PLAYLIST.exec(rest);
  if (playlist && Number(playlist[1]) < renditions) return { kind: 'playlist', rendition: Number(playlist[1]) };
  const segment = SEGMENT.exec(rest);
  if (segment && Number(segment[1]) < renditions) return { kind: 'segment', rendition: Number(segment[1]), file: segment[2]! };
  return undefined;
}
