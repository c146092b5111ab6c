/*
 * The station's description in the response head, as Icecast and SHOUTcast send it: players
 * (VLC, foobar2000, ffmpeg, radio apps) show icy-name as the station's name, and stream
 * directories read the others. The values are UTF-8 text; a header carries bytes, so the UTF-8
 * bytes go out as they are, which is what those players decode.
 */

/** One line of text: no control characters (so no CR/LF that would end the header). */
export const STATION_TEXT_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
export const STATION_TEXT_IN_WORDS = 'one line of text, without control characters';

export interface StationInfo {
  name?: string;
  description?: string;
  genre?: string;
  url?: string;
}

const HEADER_OF: Readonly<Record<keyof StationInfo, string>> = {
  name: 'icy-name',
  description: 'icy-description',
  genre: 'icy-genre',
  url: 'icy-url',
};

/**
 * The icy-* headers for what is set. Values are given as Latin-1 strings of their UTF-8 bytes, the
 * form in which both Node's HTTP layer and the stream's raw head write bytes unchanged.
 */
export function stationHeaders(info: StationInfo): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const key of Object.keys(HEADER_OF) as (keyof StationInfo)[]) {
    const value = info[key];
    if (value) headers[HEADER_OF[key]] = Buffer.from(value, 'utf8').toString('latin1');
  }
  return headers;
}
