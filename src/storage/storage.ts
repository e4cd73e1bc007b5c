// This module is browser compatible.

/**
 * The dual-mode location: one interface over local folders and S3 prefixes, so that writers, dataset
 * readers and the CLI need not care where the bytes live.
 *
 * @module
 */

import type { AsyncBuffer } from "hyparquet";
import type { FileSink, SinkOptions } from "../sinks/sink.ts";

/** One stored file, as listed. */
export interface StoredFile {
  /** A local path or `s3://bucket/key`. */
  location: string;
  /** Size in bytes. */
  size: number;
  /** Last modification time, if the store reports one. */
  modified?: Date;
}

/**
 * A write that never finished and was never cleaned up (the writer was killed, or lost the store): a
 * local temporary file, or an S3 multipart upload left open. Never visible as a file, but it takes space.
 */
export interface UnfinishedWrite {
  /** The temporary file's path, or the `s3://bucket/key` the upload was for. */
  location: string;
  /** Bytes it holds (0 for an upload, whose parts are not counted). */
  size: number;
  /** When it was last written (a temporary file) or started (an upload). */
  modified?: Date;
  /** The multipart upload's id, for an upload. */
  uploadId?: string;
}

/** A place files are written to and read from: a local folder or an S3 bucket. */
export interface Storage {
  /** Opens a sink that writes one file at `location`, visible only on a clean close. */
  createSink(location: string, options?: SinkOptions): FileSink;
  /** Opens a file for random-access reads (hyparquet's `AsyncBuffer`). */
  open(location: string): Promise<AsyncBuffer>;
  /** Lists every file under `location` (recursively), in no particular order. */
  list(location: string): AsyncIterable<StoredFile>;
  /** Deletes one file; a missing file is not an error. */
  remove(location: string): Promise<void>;
  /** Joins path segments with this storage's separator. */
  join(...parts: string[]): string;
  /** Lists the unfinished writes under `location` (recursively): what `list` does not show. */
  listUnfinished?(location: string): AsyncIterable<UnfinishedWrite>;
  /** Removes one unfinished write: deletes the temporary file, or aborts the upload. */
  discardUnfinished?(write: UnfinishedWrite): Promise<void>;
  /** The absolute URI of a location (`file:///…` for a local path), as table formats record files. */
  uri?(location: string): string;
}

/** True when `location` names an S3 object or prefix (`s3://bucket/...`). */
export function isS3Location(location: string): boolean {
  return location.startsWith("s3://");
}
