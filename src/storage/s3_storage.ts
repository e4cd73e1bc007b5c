// This module is browser compatible.

/**
 * An S3 bucket (or any S3-compatible store) as a {@link Storage}: immutable object sinks, ranged reads
 * that fetch only the bytes a reader asks for, paginated listing, deletion.
 *
 * @module
 */

import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { AsyncBuffer } from "hyparquet";
import { ReadError, SinkError } from "../errors.ts";
import { S3Sink } from "../sinks/s3_sink.ts";
import {
  createS3Client,
  describeS3Error,
  formatS3Location,
  parseS3Location,
  s3Status,
} from "../sinks/s3_location.ts";
import type { FileSink, S3Options, SinkOptions } from "../sinks/sink.ts";
import type { Storage, StoredFile, UnfinishedWrite } from "./storage.ts";

/** Options of {@link S3Storage}. */
export interface S3StorageOptions extends S3Options {
  /** A client to use instead of one built from these options and the `AWS_*` environment. */
  client?: S3Client;
  /** Keys per ListObjectsV2 page (1 to 1000). Default 1000, the most S3 returns. */
  listPageSize?: number;
}

/** An S3 object opened for ranged reads, counting what it fetched. */
export interface S3File extends AsyncBuffer {
  /** The object, `s3://bucket/key`. */
  readonly location: string;
  /** Bytes fetched so far by `slice`. */
  readonly bytesRead: number;
  /** Ranged GET requests made so far. */
  readonly requests: number;
}

/** Options of {@link S3Storage.abortIncompleteUploads}. */
export interface AbortUploadsOptions {
  /** Only uploads started at least this many milliseconds ago, so live writers are spared. Default one day. */
  olderThan?: number;
}

/**
 * S3 as a {@link Storage}.
 *
 * @example
 * ```ts
 * import { S3Storage } from "./s3_storage.ts";
 * const storage = new S3Storage({ endpoint: "http://127.0.0.1:7480" });
 * console.assert(storage.join("s3://lake/data/", "borehole") === "s3://lake/data/borehole");
 * storage.client.destroy();
 * ```
 */
export class S3Storage implements Storage {
  /** The client every request goes through. */
  readonly client: S3Client;
  #options: S3Options;
  #listPageSize: number;

  /** Builds a storage from `options`, unset fields from the `AWS_*` environment. */
  constructor(options: S3StorageOptions = {}) {
    const { client, listPageSize = 1000, ...rest } = options;
    if (!Number.isInteger(listPageSize) || listPageSize < 1 || listPageSize > 1000) {
      throw new ReadError(
        `Cannot construct S3Storage as listPageSize must be an integer from 1 to 1000: current value is ${listPageSize}`,
      );
    }
    this.client = client ?? createS3Client(rest);
    this.#options = rest;
    this.#listPageSize = listPageSize;
  }

  /** Opens a sink for one immutable object at `s3://bucket/key`. */
  createSink(location: string, options: SinkOptions = {}): FileSink {
    return new S3Sink(location, { ...this.#options, ...options, client: this.client });
  }

  /**
   * Opens an object for ranged reads: one HeadObject for its size, then one ranged GET per `slice`, each
   * pinned to the object's ETag so that a replaced object fails the read instead of mixing two versions.
   */
  async open(location: string): Promise<S3File> {
    const { bucket: Bucket, key: Key } = parseS3Location(location, "read");
    const where = formatS3Location(Bucket, Key);
    let byteLength: number;
    let etag: string | undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket, Key }));
      byteLength = head.ContentLength ?? 0;
      etag = head.ETag;
    } catch (cause) {
      const why = s3Status(cause) === 404 ? "no such object" : describeS3Error(cause);
      throw new ReadError(`Cannot open ${where}: ${why}`, { cause });
    }
    const client = this.client;
    const counts = { bytes: 0, requests: 0 };
    return {
      location: where,
      byteLength,
      get bytesRead() {
        return counts.bytes;
      },
      get requests() {
        return counts.requests;
      },
      async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
        const from = Math.max(0, start < 0 ? byteLength + start : start);
        const to = Math.min(byteLength, end < 0 ? byteLength + end : end);
        if (to <= from) return new ArrayBuffer(0);
        counts.requests++;
        try {
          const got = await client.send(
            new GetObjectCommand({ Bucket, Key, Range: `bytes=${from}-${to - 1}`, IfMatch: etag }),
          );
          const bytes = await got.Body!.transformToByteArray();
          counts.bytes += bytes.length;
          if (bytes.length !== to - from) {
            throw new Error(`expected ${to - from} bytes, received ${bytes.length}`);
          }
          return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
            ? bytes.buffer as ArrayBuffer
            : bytes.slice().buffer;
        } catch (cause) {
          const why = s3Status(cause) === 412
            ? "the object was replaced while being read"
            : describeS3Error(cause);
          throw new ReadError(`Cannot read bytes ${from}-${to - 1} of ${where}: ${why}`, { cause });
        }
      },
    };
  }

  /**
   * Lists the objects under a prefix, recursively, page by page. `s3://bucket/data` lists the "folder"
   * `data/` (not `data_old/`); `s3://bucket` lists the whole bucket.
   */
  async *list(location: string): AsyncIterable<StoredFile> {
    const { bucket: Bucket, key } = parseS3Location(location, "list");
    const Prefix = key === "" || key.endsWith("/") ? key : `${key}/`;
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken, MaxKeys: this.#listPageSize }),
        );
      } catch (cause) {
        throw new ReadError(`Cannot list ${formatS3Location(Bucket, Prefix)}: ${describeS3Error(cause)}`, {
          cause,
        });
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith("/")) continue; // "folder" markers made by consoles
        yield {
          location: formatS3Location(Bucket, object.Key),
          size: object.Size ?? 0,
          modified: object.LastModified,
        };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /** Deletes one object; a missing one is fine. */
  async remove(location: string): Promise<void> {
    const { bucket: Bucket, key: Key } = parseS3Location(location, "write");
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket, Key }));
    } catch (cause) {
      if (s3Status(cause) === 404) return;
      throw new SinkError(`Cannot delete the object (${describeS3Error(cause)})`, {
        location: formatS3Location(Bucket, Key),
        cause,
      });
    }
  }

  /** Joins segments with "/", without doubling the slashes between them. */
  join(...parts: string[]): string {
    return parts
      .filter((part) => part !== "")
      .map((part, i) => {
        const end = part.replace(/\/+$/, "");
        return i > 0 ? end.replace(/^\/+/, "") : end === "s3:" ? part : end;
      })
      .join("/")
      .replace(/^s3:\/\/\//, "s3://");
  }

  /** An `s3://` location is its own URI. */
  uri(location: string): string {
    return location;
  }

  /** Lists the multipart uploads left open under a prefix (each the `s3://` key it was for), page by page. */
  async *listUnfinished(location: string): AsyncIterable<UnfinishedWrite> {
    const { bucket: Bucket, key: Prefix } = parseS3Location(location, "list");
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({ Bucket, Prefix, KeyMarker, UploadIdMarker }),
        );
      } catch (cause) {
        throw new ReadError(
          `Cannot list the open multipart uploads of ${formatS3Location(Bucket, Prefix)}: ${
            describeS3Error(cause)
          }`,
          { cause },
        );
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        yield {
          location: formatS3Location(Bucket, upload.Key),
          size: 0,
          modified: upload.Initiated,
          uploadId: upload.UploadId,
        };
      }
      [KeyMarker, UploadIdMarker] = page.IsTruncated
        ? [page.NextKeyMarker, page.NextUploadIdMarker]
        : [undefined, undefined];
    } while (KeyMarker);
  }

  /** Aborts one open multipart upload; one already gone is fine. */
  async discardUnfinished(write: UnfinishedWrite): Promise<void> {
    const { bucket: Bucket, key: Key } = parseS3Location(write.location, "write");
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: write.uploadId }));
    } catch (cause) {
      if (s3Status(cause) === 404) return;
      throw new SinkError(`Cannot abort multipart upload ${write.uploadId} (${describeS3Error(cause)})`, {
        location: write.location,
        cause,
      });
    }
  }

  /**
   * Aborts the multipart uploads under a prefix that were started long enough ago: the parts a writer
   * left behind when it could not reach the store to abort (a crash, a network cut). Returns how many
   * were aborted. A bucket lifecycle rule (`AbortIncompleteMultipartUpload`) does the same on its own.
   */
  async abortIncompleteUploads(location: string, options: AbortUploadsOptions = {}): Promise<number> {
    const { olderThan = 24 * 60 * 60 * 1000 } = options;
    const cutoff = Date.now() - olderThan;
    let aborted = 0;
    try {
      for await (const upload of this.listUnfinished(location)) {
        if (upload.modified && upload.modified.getTime() > cutoff) continue;
        await this.discardUnfinished(upload);
        aborted++;
      }
    } catch (cause) {
      const { bucket, key } = parseS3Location(location, "list");
      throw new SinkError(`Cannot abort incomplete uploads (${(cause as Error).message})`, {
        location: formatS3Location(bucket, key),
        cause,
      });
    }
    return aborted;
  }
}
