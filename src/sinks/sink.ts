// This module is browser compatible.

/**
 * What a sink is: the byte stream of one immutable file, and the options every sink takes. Sinks own
 * these interfaces; `storage/` builds sinks and imports them from here.
 *
 * @module
 */

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
  /**
   * The file's size in bytes, when the writer knows it: an S3 object of up to 5 GiB is then sent as one
   * PutObject, whatever the part size, so that `If-None-Match: *` holds on stores that ignore it on
   * CompleteMultipartUpload (Ceph RGW). Ignored by local files.
   */
  size?: number;
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
