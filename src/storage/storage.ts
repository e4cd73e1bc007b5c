// This module is browser compatible.

/**
 * The dual-mode location: one interface over local folders and S3 prefixes, so that writers, dataset
 * readers and the CLI need not care where the bytes live.
 *
 * @module
 */

import type { AsyncBuffer } from "hyparquet";

/** A sink for one immutable file: a byte stream that becomes visible only when it closes cleanly. */
export interface FileSink extends WritableStream<Uint8Array> {
  /** Where the file appears once the stream closes: a local path or `s3://bucket/key`. */
  readonly location: string;
  /** Bytes accepted so far. */
  readonly bytesWritten: number;
}

/** Options for creating a file sink. */
export interface SinkOptions {
  /** Replace an existing file at the same location. Default `false`: an existing file is an error. */
  overwrite?: boolean;
  /** Aborts the write, leaving nothing visible. */
  signal?: AbortSignal;
}

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

/** Settings for reaching S3 or an S3-compatible store. Unset fields come from the `AWS_*` environment. */
export interface S3Options {
  /** Endpoint URL, e.g. `http://127.0.0.1:7480` for Ceph or MinIO. Default: `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** Region. Default: `AWS_REGION`, else `us-east-1`. */
  region?: string;
  /** Path-style addressing (`endpoint/bucket/key`). Default: true when an endpoint is set. */
  forcePathStyle?: boolean;
  /** Credentials. Default: the SDK's chain (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Multipart part size in bytes (at least 5 MiB). Default 8 MiB. */
  partSize?: number;
  /** Parts uploading at once; memory stays under (queueSize + 1) × partSize. Default 4. */
  queueSize?: number;
  /** Attempts per request, retried with exponential backoff. Default: `AWS_MAX_ATTEMPTS`, else 5. */
  maxAttempts?: number;
  /**
   * Milliseconds an attempt may move no byte, either way, before it is given up (and retried): a store
   * or network path that keeps the connection open but goes silent. Default 120,000. A sink also gives
   * up a request whose attempts together run past `maxAttempts × (idleTimeout + 30 s)`, for runtimes
   * whose HTTP client has no idle timeout.
   */
  idleTimeout?: number;
}

/** True when `location` names an S3 object or prefix (`s3://bucket/...`). */
export function isS3Location(location: string): boolean {
  return location.startsWith("s3://");
}
