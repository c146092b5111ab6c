/**
 * Reading a muxed stream out of the pipeline, for consumer components (a streamer, a recorder):
 * the flowcastbatchsink element and its JavaScript side, GStreamer's buffer flags, and where a
 * player can start decoding (sync points).
 */
export { BATCH_SINK, BatchSinkChannel } from '../media/batch-sink';
export { BufferFlag, type StreamBatch } from '../media/native';
export { syncDetectorFor, type SyncDetector } from '../media/sync-points';
export { StreamHeaders } from '../media/stream-headers';
