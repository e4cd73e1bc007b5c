// This module is browser compatible.

/**
 * One S3 object written in parts, as a state machine: parts cut from the bytes as they arrive and sent
 * while the next fills (at most `queueSize` in flight), then completed on a clean close, or the upload
 * aborted on any error or abort; a file smaller than one part goes up in one conditional PutObject.
 * `S3Sink` is the `WritableStream` around it.
 *
 * Why one file: the states (buffering, uploading parts, completing, aborting, the single PutObject) share
 * the upload id, the parts sent and the first failure; split, each piece would reach into the others'.
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
import { PartBuffer } from "./part_buffer.ts";
import { describeS3Error, s3Status } from "./s3_location.ts";

const REPLACE_REFUSED =
  "Refusing to replace an object that already exists (pass overwrite: true to replace it)";

/** What an upload needs: where, how, and with which client. */
export interface UploadSettings {
  client: S3Client;
  Bucket: string;
  Key: string;
  /** `s3://bucket/key`, for messages. */
  where: string;
  partSize: number;
  queueSize: number;
  /** Replace an existing object. */
  overwrite: boolean;
  /** The options of every request (its deadline). */
  guard: () => { abortSignal: AbortSignal };
  /** Called once, when the upload has completed or been given up. */
  finished: () => void;
  /** S3's limit on the number of parts. */
  maxParts: number;
}

/** The state of one object's upload; every method is called by the sink, in stream order. */
export class MultipartUpload {
  readonly #s: UploadSettings;
  readonly #part: PartBuffer;
  #partCount = 0;
  #uploadId: Promise<string> | undefined;
  readonly #parts: CompletedPart[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #partFailure: { attempted: string; cause: unknown } | undefined;
  #completed = false;
  #discarding: Promise<string> | undefined;
  #startedAt = new Date();

  constructor(settings: UploadSettings) {
    this.#s = settings;
    this.#part = new PartBuffer(settings.partSize);
  }

  /** Takes a chunk, sending each part as it fills; waits while `queueSize` parts are in flight. */
  async write(chunk: Uint8Array): Promise<void> {
    if (!(chunk instanceof Uint8Array)) {
      await this.#fail("write", new SinkError(`expected Uint8Array chunks, received ${typeof chunk}`));
    }
    if (this.#partFailure) await this.#fail(this.#partFailure.attempted, this.#partFailure.cause);
    let offset = 0;
    while (offset < chunk.length) {
      offset += this.#part.fill(chunk, offset);
      if (this.#part.full) await this.#sendPart();
    }
  }

  /** Makes the object visible: one PutObject, or the last part and CompleteMultipartUpload. */
  async close(): Promise<void> {
    const { client, Bucket, Key, where, overwrite, guard } = this.#s;
    const ifAbsent = overwrite ? {} : { IfNoneMatch: "*" };
    if (this.#uploadId === undefined) {
      // Smaller than one part: a single PutObject, refused by the store if the key exists.
      try {
        const Body = this.#part.take();
        const ContentMD5 = await md5Base64(Body);
        await client.send(
          new PutObjectCommand({ Bucket, Key, Body, ChecksumAlgorithm: "CRC32", ContentMD5, ...ifAbsent }),
          guard(),
        );
      } catch (cause) {
        if (s3Status(cause) === 412) await this.#refuse(cause);
        // Not "no object was created": a request that failed on the way back may have landed.
        await this.discard();
        throw new SinkError(`Cannot put the object (${describeS3Error(cause)})`, { location: where, cause });
      }
      this.#completed = true;
      this.#s.finished();
      return;
    }
    if (this.#part.filled > 0) await this.#sendPart();
    while (this.#inFlight.size) await Promise.race(this.#inFlight);
    if (this.#partFailure) await this.#fail(this.#partFailure.attempted, this.#partFailure.cause);
    const UploadId = await this.#uploadId;
    if (!overwrite) {
      // Best effort: Ceph RGW ignores If-None-Match on CompleteMultipartUpload (AWS S3 honours it),
      // so look first. On such a store an object another writer completes between this check and
      // ours is still replaced; the random part of our file names makes that a non-event in practice.
      const exists = await client.send(new HeadObjectCommand({ Bucket, Key }), guard()).then(
        () => true,
        (cause) => s3Status(cause) === 404 ? false : this.#fail("check whether the object exists", cause),
      );
      if (exists) await this.#refuse();
    }
    try {
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: { Parts: this.#parts.sort((a, b) => a.PartNumber! - b.PartNumber!) },
          ...ifAbsent,
        }),
        guard(),
      );
    } catch (cause) {
      if (s3Status(cause) === 412) await this.#refuse(cause);
      await this.#fail(`complete multipart upload ${UploadId}`, cause);
    }
    this.#completed = true;
    this.#s.finished();
  }

  /**
   * Gives the write up: waits for the parts in flight, then aborts the upload. Returns what became of
   * it, for error messages. Aborting is best effort: a store that cannot be reached keeps the upload's
   * parts (never an object) until S3Storage.abortIncompleteUploads or a lifecycle rule.
   */
  discard(): Promise<string> {
    return this.#discarding ??= (async () => {
      if (this.#completed) return "the object was already complete";
      // Parts in flight are let finish, not cancelled: AWS warns that a part still being stored when
      // the upload is aborted may succeed anyway and keep storage, so abort once nothing is moving.
      await Promise.allSettled([...this.#inFlight]);
      const id = await this.#uploadId?.catch(() => undefined);
      let note = "no object was created";
      if (this.#uploadId !== undefined) {
        const { client, Bucket, Key, guard } = this.#s;
        try {
          if (id !== undefined) await abortUpload(client, { Bucket, Key, UploadId: id }, guard);
          await abortStrays(client, { Bucket, Key, since: this.#startedAt, known: id }, guard);
          if (id !== undefined) note = "the multipart upload was aborted, no object was created";
        } catch (cause) {
          // A store that never told us an upload id and does not answer now either: nothing to add.
          if (id === undefined) return this.#finish(note);
          note = s3Status(cause) === 404
            ? `multipart upload ${id} was already gone (completed or aborted elsewhere)`
            : `no object was created, but aborting multipart upload ${id} ` +
              `also failed (${describeS3Error(cause)}): its parts stay stored until ` +
              "S3Storage.abortIncompleteUploads() or a bucket lifecycle rule (AbortIncompleteMultipartUpload) " +
              "removes them";
        }
      }
      return this.#finish(note);
    })();
  }

  #finish(note: string): string {
    this.#s.finished();
    return note;
  }

  async #fail(attempted: string, cause: unknown): Promise<never> {
    const note = await this.discard();
    const why = cause instanceof SinkError ? cause.message : describeS3Error(cause);
    throw new SinkError(`Cannot ${attempted} (${why}); ${note}`, { location: this.#s.where, cause });
  }

  async #refuse(cause?: unknown): Promise<never> {
    await this.discard();
    throw new SinkError(REPLACE_REFUSED, { location: this.#s.where, cause });
  }

  async #startUpload(): Promise<string> {
    const { client, Bucket, Key, guard } = this.#s;
    this.#startedAt = new Date();
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "CRC32" }),
      guard(),
    );
    if (!created.UploadId) throw new Error("the store returned no UploadId");
    return created.UploadId;
  }

  // Never rejects: a failure is kept for the next write() or close() to report.
  async #uploadPart(PartNumber: number, Body: Uint8Array): Promise<void> {
    const { client, Bucket, Key, guard } = this.#s;
    let UploadId: string;
    try {
      UploadId = await this.#uploadId!;
    } catch (cause) {
      this.#partFailure ??= { attempted: "start a multipart upload", cause };
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
      this.#parts.push({ PartNumber, ETag: sent.ETag, ChecksumCRC32: sent.ChecksumCRC32 });
    } catch (cause) {
      this.#partFailure ??= { attempted: `upload part ${PartNumber} of multipart upload ${UploadId}`, cause };
    }
  }

  async #sendPart(): Promise<void> {
    const { maxParts, partSize, queueSize, where } = this.#s;
    const body = this.#part.take();
    const partNumber = ++this.#partCount;
    if (partNumber > maxParts) {
      await this.#fail(
        `upload part ${partNumber}`,
        new Error(`S3 allows at most ${maxParts} parts: raise partSize (now ${partSize})`),
      );
    }
    while (this.#inFlight.size >= queueSize) await Promise.race(this.#inFlight);
    if (this.#partFailure) await this.#fail(this.#partFailure.attempted, this.#partFailure.cause);
    if (this.#discarding) {
      throw new SinkError("Cannot upload a part: the write was aborted", { location: where });
    }
    this.#uploadId ??= this.#startUpload();
    const task: Promise<void> = this.#uploadPart(partNumber, body).finally(() => this.#inFlight.delete(task));
    this.#inFlight.add(task);
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

/**
 * Aborts the uploads of `Key` that this write started but never heard of: a CreateMultipartUpload the
 * store carried out but answered too late (after the request's deadline) is retried by the SDK, and the
 * first upload would stay open, unseen. The key is this write's own (its name has a random part), so any
 * upload of it started since this write began is one of ours. Clocks may differ: a minute of slack.
 */
async function abortStrays(
  client: S3Client,
  stray: { Bucket: string; Key: string; since: Date; known: string | undefined },
  guard: () => { abortSignal: AbortSignal },
): Promise<void> {
  const { Bucket, Key, since, known } = stray;
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket, Prefix: Key }), guard());
  const after = since.getTime() - 60_000;
  for (const upload of listed.Uploads ?? []) {
    if (upload.Key !== Key || !upload.UploadId || upload.UploadId === known) continue;
    if (upload.Initiated && upload.Initiated.getTime() < after) continue;
    await abortUpload(client, { Bucket, Key, UploadId: upload.UploadId }, guard);
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
