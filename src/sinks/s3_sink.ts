// This module is browser compatible.

/**
 * The S3 sink: one object, uploaded in parts as bytes arrive, that appears only when the stream closes
 * cleanly. A file smaller than one part goes up in a single conditional PutObject instead. On any error
 * or abort the multipart upload is aborted, so neither an object nor an open upload is left behind.
 *
 * @module
 */

import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { SinkError } from "../errors.ts";
import { md5Base64 } from "./hashes.ts";
import {
  createS3Client,
  describeS3Error,
  formatS3Location,
  parseS3Location,
  s3RequestDeadline,
  s3Status,
} from "./s3_location.ts";
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
 */
export const S3_SINK_DEFAULTS: { partSize: number; queueSize: number } = { partSize: 8 * MiB, queueSize: 4 };

/** S3's limits on multipart uploads: parts from 5 MiB (except the last) to 5 GiB, at most 10,000 of them. */
export const S3_PART_LIMITS: {
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxParts: number;
} = {
  minSize: 5 * MiB,
  maxSize: 5 * 1024 * MiB,
  maxParts: 10_000,
};

const REPLACE_REFUSED =
  "Refusing to replace an object that already exists (pass overwrite: true to replace it)";

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
    const { partSize = S3_SINK_DEFAULTS.partSize, queueSize = S3_SINK_DEFAULTS.queueSize } = options;
    checkSizes(partSize, queueSize, where);
    const client = options.client ?? createS3Client(options);
    const ownClient = options.client === undefined;
    // The guard on every request: given up past its deadline even if the HTTP client never times out.
    const deadline = s3RequestDeadline(options);
    const guard = () => ({ abortSignal: AbortSignal.timeout(deadline) });
    const ifAbsent = overwrite ? {} : { IfNoneMatch: "*" };
    const progress = { bytes: 0 };

    let current: Uint8Array | undefined;
    let filled = 0;
    let partCount = 0;
    let uploadId: Promise<string> | undefined;
    const parts: CompletedPart[] = [];
    const inFlight = new Set<Promise<void>>();
    let partFailure: { attempted: string; cause: unknown } | undefined;
    let completed = false;
    let discarding: Promise<string> | undefined;

    const finish = () => {
      signal?.removeEventListener("abort", onSignal);
      if (ownClient) client.destroy();
    };

    // Gives the write up: waits for the parts in flight, then aborts the upload. Returns what
    // became of it, for error messages. Aborting is best effort: a store that cannot be reached keeps
    // the upload's parts (never an object) until S3Storage.abortIncompleteUploads or a lifecycle rule.
    const discard = (): Promise<string> =>
      discarding ??= (async () => {
        if (completed) return "the object was already complete";
        // Parts in flight are let finish, not cancelled: AWS warns that a part still being stored when
        // the upload is aborted may succeed anyway and keep storage, so abort once nothing is moving.
        await Promise.allSettled([...inFlight]);
        const id = await uploadId?.catch(() => undefined);
        let note = "no object was created";
        if (id !== undefined) {
          try {
            await abortUpload(client, { Bucket, Key, UploadId: id }, guard);
            note = "the multipart upload was aborted, no object was created";
          } catch (cause) {
            note = s3Status(cause) === 404
              ? `multipart upload ${id} was already gone (completed or aborted elsewhere)`
              : `no object was created, but aborting multipart upload ${id} ` +
                `also failed (${describeS3Error(cause)}): its parts stay stored until ` +
                "S3Storage.abortIncompleteUploads() or a bucket lifecycle rule (AbortIncompleteMultipartUpload) " +
                "removes them";
          }
        }
        finish();
        return note;
      })();

    const fail = async (attempted: string, cause: unknown): Promise<never> => {
      const note = await discard();
      const why = cause instanceof SinkError ? cause.message : describeS3Error(cause);
      throw new SinkError(`Cannot ${attempted} (${why}); ${note}`, { location: where, cause });
    };
    const refuse = async (cause?: unknown): Promise<never> => {
      await discard();
      throw new SinkError(REPLACE_REFUSED, { location: where, cause });
    };
    const onSignal = () => {
      controller?.error(signal?.reason);
      void discard();
    };
    let controller: WritableStreamDefaultController | undefined;

    const startUpload = async (): Promise<string> => {
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "CRC32" }),
        guard(),
      );
      if (!created.UploadId) throw new Error("the store returned no UploadId");
      return created.UploadId;
    };

    // Never rejects: a failure is kept for the next write() or close() to report.
    const uploadPart = async (PartNumber: number, Body: Uint8Array): Promise<void> => {
      let UploadId: string;
      try {
        UploadId = await uploadId!;
      } catch (cause) {
        partFailure ??= { attempted: "start a multipart upload", cause };
        return;
      }
      try {
        // Content-MD5 as well as CRC32: AWS verifies the CRC32, but Ceph RGW before 18 (and other
        // S3-compatible stores) ignore x-amz-checksum-* headers and verify only Content-MD5.
        const ContentMD5 = await md5Base64(Body);
        const sent = await client.send(
          new UploadPartCommand({
            Bucket,
            Key,
            UploadId,
            PartNumber,
            Body,
            ChecksumAlgorithm: "CRC32",
            ContentMD5,
          }),
          guard(),
        );
        parts.push({ PartNumber, ETag: sent.ETag, ChecksumCRC32: sent.ChecksumCRC32 });
      } catch (cause) {
        partFailure ??= { attempted: `upload part ${PartNumber} of multipart upload ${UploadId}`, cause };
      }
    };

    const sendPart = async () => {
      const body = current!.subarray(0, filled);
      current = undefined;
      filled = 0;
      const partNumber = ++partCount;
      if (partNumber > S3_PART_LIMITS.maxParts) {
        await fail(
          `upload part ${partNumber}`,
          new Error(`S3 allows at most ${S3_PART_LIMITS.maxParts} parts: raise partSize (now ${partSize})`),
        );
      }
      while (inFlight.size >= queueSize) await Promise.race(inFlight);
      if (partFailure) await fail(partFailure.attempted, partFailure.cause);
      if (discarding) throw new SinkError("Cannot upload a part: the write was aborted", { location: where });
      uploadId ??= startUpload();
      const task: Promise<void> = uploadPart(partNumber, body).finally(() => inFlight.delete(task));
      inFlight.add(task);
    };

    super({
      start(streamController) {
        controller = streamController;
        if (signal?.aborted) onSignal();
        else signal?.addEventListener("abort", onSignal, { once: true });
      },
      async write(chunk) {
        if (!(chunk instanceof Uint8Array)) {
          await fail("write", new SinkError(`expected Uint8Array chunks, received ${typeof chunk}`));
        }
        if (partFailure) await fail(partFailure.attempted, partFailure.cause);
        let offset = 0;
        while (offset < chunk.length) {
          current ??= new Uint8Array(partSize);
          const count = Math.min(chunk.length - offset, partSize - filled);
          current.set(chunk.subarray(offset, offset + count), filled);
          filled += count;
          offset += count;
          if (filled === partSize) await sendPart();
        }
        progress.bytes += chunk.length;
      },
      async close() {
        if (uploadId === undefined) {
          // Smaller than one part: a single PutObject, refused by the store if the key exists.
          try {
            const Body = current?.subarray(0, filled) ?? new Uint8Array();
            const ContentMD5 = await md5Base64(Body);
            await client.send(
              new PutObjectCommand({
                Bucket,
                Key,
                Body,
                ChecksumAlgorithm: "CRC32",
                ContentMD5,
                ...ifAbsent,
              }),
              guard(),
            );
          } catch (cause) {
            if (s3Status(cause) === 412) await refuse(cause);
            // Not "no object was created": a request that failed on the way back may have landed.
            await discard();
            throw new SinkError(`Cannot put the object (${describeS3Error(cause)})`, {
              location: where,
              cause,
            });
          }
          completed = true;
          finish();
          return;
        }
        if (filled > 0) await sendPart();
        while (inFlight.size) await Promise.race(inFlight);
        if (partFailure) await fail(partFailure.attempted, partFailure.cause);
        const UploadId = await uploadId;
        if (!overwrite) {
          // Best effort: Ceph RGW ignores If-None-Match on CompleteMultipartUpload (AWS S3 honours it),
          // so look first. On such a store an object another writer completes between this check and
          // ours is still replaced; the random part of our file names makes that a non-event in practice.
          const exists = await client.send(new HeadObjectCommand({ Bucket, Key }), guard()).then(
            () => true,
            (cause) => s3Status(cause) === 404 ? false : fail("check whether the object exists", cause),
          );
          if (exists) await refuse();
        }
        try {
          await client.send(
            new CompleteMultipartUploadCommand({
              Bucket,
              Key,
              UploadId,
              MultipartUpload: { Parts: parts.sort((a, b) => a.PartNumber! - b.PartNumber!) },
              ...ifAbsent,
            }),
            guard(),
          );
        } catch (cause) {
          if (s3Status(cause) === 412) await refuse(cause);
          await fail(`complete multipart upload ${UploadId}`, cause);
        }
        completed = true;
        finish();
      },
      async abort() {
        await discard();
      },
    });
    this.location = where;
    this.#progress = progress;
  }
}

/**
 * Aborts an upload, then checks that it is gone and aborts again if a part the store was still writing
 * brought it back, as AWS advises. Gone means both: ListParts no longer knows the id, and the bucket's
 * list of uploads (what `vacuum` and lifecycle rules see) no longer shows it; Ceph's gateway has been seen
 * to answer the first while still listing the upload.
 */
async function abortUpload(
  client: S3Client,
  upload: { Bucket: string; Key: string; UploadId: string },
  guard: () => { abortSignal: AbortSignal },
): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await client.send(new AbortMultipartUploadCommand(upload), guard());
    } catch (cause) {
      // A second abort of an upload the first one removed, but that was still listed.
      if (attempt === 1 || s3Status(cause) !== 404) throw cause;
    }
    if (!(await uploadStillThere(client, upload, guard))) return;
    if (attempt === 3) throw new Error(`the upload was still there after ${attempt} aborts`);
    await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
  }
}

async function uploadStillThere(
  client: S3Client,
  upload: { Bucket: string; Key: string; UploadId: string },
  guard: () => { abortSignal: AbortSignal },
): Promise<boolean> {
  try {
    await client.send(new ListPartsCommand(upload), guard());
    return true;
  } catch (cause) {
    if (s3Status(cause) !== 404) throw cause;
  }
  const { Bucket, Key, UploadId } = upload;
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }), guard());
  return (listed.Uploads ?? []).some((u) => u.UploadId === UploadId);
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
