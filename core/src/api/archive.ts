/**
 * The recordings directory's format (written by recorder-disk, read by archive-http and
 * `flowcast archive`): the catalog and per-recording index (index-format.ts documents the lines),
 * Ogg page reading, and closing recordings a crash left open.
 */
export {
  CATALOG_FILE,
  INDEX_SUFFIX,
  appendLinesSync,
  isRecordingName,
  jsonLine,
  readCatalog,
  readFileIndex,
  type CatalogRecord,
  type CloseReason,
  type DeleteReason,
  type FileIndex,
  type IndexRecord,
  type Recording,
  type SkippedLine,
  type SyncPoint,
} from '../archive/index-format';
export { OGG_HEADER_BOS, OGG_HEADER_CONTINUED, OGG_HEADER_EOS, granuleRate, pageAt, pageCrc, scanOggFile, type OggPage } from '../archive/ogg';
export { closeInterrupted, validLength, type ClosedRecording } from '../archive/repair';
export { compactCatalog } from '../archive/compact';
export { checkArchive, type ArchiveCheck, type RecordingCheck } from '../archive/check';
export { reindexArchive, type ReindexResult } from '../archive/reindex';
