/**
 * Media types in words, for errors an operator reads: "H.264 video cannot go into muxer-ogg"
 * says more than "video/x-h264". A type not listed here is shown as it is.
 */
const MEDIA_IN_WORDS: Readonly<Record<string, string>> = {
  'audio/x-raw': 'raw (unencoded) audio',
  'video/x-raw': 'raw (unencoded) video',
  'audio/x-vorbis': 'Vorbis audio',
  'audio/x-opus': 'Opus audio',
  'audio/x-flac': 'FLAC audio',
  'audio/x-speex': 'Speex audio',
  'audio/mpeg': 'MP3 audio',
  'audio/aac': 'AAC audio',
  'video/x-theora': 'Theora video',
  'video/x-vp8': 'VP8 video',
  'video/x-vp9': 'VP9 video',
  'video/x-h264': 'H.264 video',
  'application/ogg': 'an Ogg stream',
  'video/webm': 'a WebM stream',
  'audio/webm': 'a WebM audio stream',
  'video/x-matroska': 'a Matroska stream',
  'audio/x-matroska': 'a Matroska audio stream',
  'video/mp2t': 'an MPEG transport stream',
};

export function mediaInWords(mediaType: string): string {
  return MEDIA_IN_WORDS[mediaType] ?? mediaType;
}

/** "a, b or c" */
export function listInWords(mediaTypes: readonly string[]): string {
  const words = [...new Set(mediaTypes.map(mediaInWords))];
  return words.length <= 1 ? (words[0] ?? 'nothing') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
