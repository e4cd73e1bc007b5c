// This module is browser compatible.

/**
 * Opening a location (local path or `s3://`) for reading, and choosing its storage, without importing
 * the filesystem where it is not used: local code is loaded only for a local path.
 *
 * @module
 */

import type { AsyncBuffer } from "hyparquet";
import { ParquetStorageError } from "../errors.ts";
import type { S3Options } from "../sinks/sink.ts";
import { isS3Location, type Storage } from "./storage.ts";

/** How to reach a location. */
export interface OpenOptions {
  /** S3 settings for `s3://` locations (endpoint, region, credentials); default from `AWS_*` variables. */
  s3?: S3Options;
}

const s3Storages = new Map<string, Storage>();

/** The storage that serves `location`: S3 for `s3://…`, else the local disk. */
export async function storageFor(location: string, options: OpenOptions = {}): Promise<Storage> {
  if (isS3Location(location)) {
    // One storage (and so one client, with its connection pool) per distinct setting, not per call.
    const key = JSON.stringify(options.s3 ?? {});
    let storage = s3Storages.get(key);
    if (!storage) {
      const { S3Storage } = await loadS3Storage(location);
      storage = new S3Storage(options.s3);
      s3Storages.set(key, storage);
    }
    return storage;
  }
  const { LocalStorage } = await import("./local_storage.ts");
  return new LocalStorage();
}

/** Opens one file at `location` for ranged reads. */
export async function openLocation(location: string, options: OpenOptions = {}): Promise<AsyncBuffer> {
  return await (await storageFor(location, options)).open(location);
}

/**
 * The S3 storage's module, which imports the AWS SDK: an optional peer of the npm package, so a
 * local-only user need not install it, and one who names an `s3://` location without it is told what to
 * install rather than shown a module resolution error.
 */
async function loadS3Storage(location: string): Promise<typeof import("./s3_storage.ts")> {
  try {
    return await import("./s3_storage.ts");
  } catch (cause) {
    const message = String((cause as Error)?.message ?? cause);
    if (!/@aws-sdk\/client-s3/.test(message)) throw cause;
    throw new ParquetStorageError(
      `Cannot open ${location}: s3:// locations need the AWS SDK, which is not installed ` +
        `(npm install @aws-sdk/client-s3): ${message}`,
      { cause },
    );
  }
}
