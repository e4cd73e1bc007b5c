// This module is browser compatible.

/**
 * The S3 sink: one object, uploaded in parts as bytes arrive, that appears only when the stream closes
 * cleanly. A file smaller than one part goes up in a single conditional PutObject instead. On any error
 * or abort the multipart upload is aborted, so neither an object nor an open upload is left behind.
 *
 * @module
 */

import type { S3Client } from "@aws-sdk/client-s3";
import { SinkError } from "../errors.ts";
import { MultipartUpload } from "./multipart_upload.ts";
import { createS3Client, formatS3Location, parseS3Location, s3RequestDeadline } from "./s3_location.ts";
import type { FileSink, S3Options, SinkOptions } from "./sink.ts";

const MiB = 1024 * 1024;

/** Options of {@link S3Sink}. */
export interface S3SinkOptions extends SinkOptions, S3Options {
  /**
   * A client to share between sinks; its own settings then apply instead of the connection fields here.
   * Default: a client built from these options and the `AWS_*` environment, destroyed when the sink ends.
   */
  client?: S3Client;
}

/**
 * Defaults of {@link S3SinkOptions}. 8 MiB parts (the AWS CLI's default) keep a 4-part queue under 40 MiB
 * of memory and still allow objects of 78 GiB within S3's 10,000-part limit; 4 parts in flight keep a
 * link busy without hammering a small gateway.
 *
 * @example
 * ```ts
 * import { S3_SINK_DEFAULTS } from "@parquet-storage/engine/s3";
 * console.assert(S3_SINK_DEFAULTS.partSize === 8 * 2 ** 20 && S3_SINK_DEFAULTS.queueSize === 4);
 * ```
 */
export const S3_SINK_DEFAULTS: { partSize: number; queueSize: number } = { partSize: 8 * MiB, queueSize: 4 };

/**
 * S3's limits on multipart uploads: parts from 5 MiB (except the last) to 5 GiB, at most 10,000 of them.
 *
 * @example
 * ```ts
 * import { S3_PART_LIMITS } from "@parquet-storage/engine/s3";
 * console.assert(S3_PART_LIMITS.maxParts === 10_000 && S3_PART_LIMITS.minSize === 5 * 2 ** 20);
 * ```
 */
export const S3_PART_LIMITS: {
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxParts: number;
} = {
  minSize: 5 * MiB,
  maxSize: 5 * 1024 * MiB,
  maxParts: 10_000,
};

/**
 * A `WritableStream` that writes one immutable S3 object, visible only after a clean close.
 *
 * Bytes are cut into parts of `partSize`, each sent with CRC32 and MD5 checksums while the next fills; when
 * `queueSize` parts are in flight, `write()` waits, so memory stays under (queueSize + 1) × partSize.
 * Unless `overwrite` is set an existing object is never replaced: PutObject and CompleteMultipartUpload
 * carry `If-None-Match: *`.
 *
 * @example
 * ```ts
 * import { S3Sink } from "./s3_sink.ts";
 * // With a store at the endpoint: `await ReadableStream.from(chunks).pipeTo(sink)` uploads the object.
 * const sink = new S3Sink("s3://lake/raw/a.bin", { endpoint: "http://127.0.0.1:7480", partSize: 16 * 2 ** 20 });
 * await sink.abort(); // nothing was sent yet, so nothing is left behind
 * console.assert(sink.location === "s3://lake/raw/a.bin" && sink.bytesWritten === 0);
 * ```
 */
export class S3Sink extends WritableStream<Uint8Array> implements FileSink {
  /** The object's location, `s3://bucket/key`. */
  readonly location: string;
  /** Bytes accepted so far. */
  get bytesWritten(): number {
    return this.#progress.bytes;
  }

  #progress: { bytes: number };

  /** Prepares to write `location`; nothing is sent until the first part is full or the stream closes. */
  constructor(location: string, options: S3SinkOptions = {}) {
    const { bucket: Bucket, key: Key } = parseS3Location(location, "write");
    const where = formatS3Location(Bucket, Key);
    const { overwrite = false, signal } = options;
    const { partSize: configured = S3_SINK_DEFAULTS.partSize, queueSize = S3_SINK_DEFAULTS.queueSize } =
      options;
    // A file of known size that fits one PutObject goes up as one: its part never fills (and its
    // buffer grows only as bytes arrive).
    const { size } = options;
    const partSize = size !== undefined && size < S3_PART_LIMITS.maxSize
      ? Math.max(configured, size + 1)
      : configured;
    checkSizes(partSize, queueSize, where);
    const client = options.client ?? createS3Client(options);
    const ownClient = options.client === undefined;
    // The guard on every request: given up past its deadline even if the HTTP client never times out.
    const deadline = s3RequestDeadline(options);
    const progress = { bytes: 0 };
    let controller: WritableStreamDefaultController | undefined;
    const onSignal = () => {
      controller?.error(signal?.reason);
      void upload.discard();
    };
    const upload = new MultipartUpload({
      client,
      Bucket,
      Key,
      where,
      partSize,
      queueSize,
      overwrite,
      guard: () => ({ abortSignal: AbortSignal.timeout(deadline) }),
      finished: () => {
        signal?.removeEventListener("abort", onSignal);
        if (ownClient) client.destroy();
      },
      maxParts: S3_PART_LIMITS.maxParts,
    });

    super({
      start(streamController) {
        controller = streamController;
        if (signal?.aborted) onSignal();
        else signal?.addEventListener("abort", onSignal, { once: true });
      },
      async write(chunk) {
        await upload.write(chunk);
        progress.bytes += chunk.length;
      },
      close: () => upload.close(),
      async abort() {
        await upload.discard();
      },
    });
    this.location = where;
    this.#progress = progress;
  }
}

function checkSizes(partSize: number, queueSize: number, location: string): void {
  const { minSize, maxSize } = S3_PART_LIMITS;
  if (!Number.isInteger(partSize) || partSize < minSize || partSize > maxSize) {
    throw new SinkError(
      `Cannot construct S3Sink as partSize must be an integer from ${minSize} (5 MiB) to ${maxSize} (5 GiB): current value is ${partSize}`,
      { location },
    );
  }
  if (!Number.isInteger(queueSize) || queueSize < 1) {
    throw new SinkError(
      `Cannot construct S3Sink as queueSize must be a positive integer: current value is ${queueSize}`,
      { location },
    );
  }
}
