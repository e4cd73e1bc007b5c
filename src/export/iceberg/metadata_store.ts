// This module is browser compatible.

/**
 * Where an Iceberg table's metadata lives (`<table>/metadata/`) and how versions are found, read and
 * written. The current version is the highest `v<N>.metadata.json` listed (a listing is consistent on
 * local disk, AWS S3 and Ceph's gateway); `version-hint.text` is written after each commit for readers
 * that look for it, and is never trusted here. The next version is written without replacing anything
 * (a no-replace link locally, `If-None-Match: *` on S3's PutObject): of two writers, exactly one wins.
 *
 * @module
 */

import { IcebergMetadataMissingError, SinkError } from "../../errors.ts";
import type { Storage } from "../../storage/storage.ts";
import type { CurrentMetadata, TableMetadata } from "./table_metadata.ts";

const VERSION_FILE = /^v(\d+)\.metadata\.json$/;

/** The metadata folder of a table location. */
export function metadataFolder(storage: Storage, table: string): string {
  return storage.join(table, "metadata");
}

/** A file URI back to a location the storage opens (`file:///a/b` → `/a/b`; `s3://` as is). */
export function locationOf(uri: string): string {
  return uri.startsWith("file://") ? decodeURIComponent(new URL(uri).pathname) : uri;
}

/** The URI of a location. */
export function uriOf(storage: Storage, location: string): string {
  return storage.uri ? storage.uri(location) : location;
}

/** Every metadata version present, ascending. */
export async function listVersions(storage: Storage, table: string): Promise<number[]> {
  const versions: number[] = [];
  for await (const file of storage.list(metadataFolder(storage, table))) {
    const name = file.location.replaceAll("\\", "/").split("/").pop()!;
    const match = VERSION_FILE.exec(name);
    if (match) versions.push(Number(match[1]));
  }
  return versions.sort((a, b) => a - b);
}

/** The current metadata, or `undefined` when the table has none yet. */
export async function currentMetadata(
  storage: Storage,
  table: string,
  name?: string,
): Promise<CurrentMetadata | undefined> {
  const versions = await listVersions(storage, table);
  const version = versions.at(-1);
  if (version === undefined) return undefined;
  return await readVersion(storage, table, version, name);
}

/** Reads `v<version>.metadata.json`; a missing or unreadable file is an {@link IcebergMetadataMissingError}. */
export async function readVersion(
  storage: Storage,
  table: string,
  version: number,
  name?: string,
): Promise<CurrentMetadata> {
  const location = storage.join(metadataFolder(storage, table), `v${version}.metadata.json`);
  const text = new TextDecoder().decode(await readWhole(storage, location, name, "metadata file"));
  let metadata: TableMetadata;
  try {
    metadata = JSON.parse(text);
  } catch (cause) {
    throw new IcebergMetadataMissingError(`The metadata file is not JSON: ${(cause as Error).message}`, {
      table: name,
      file: location,
      cause,
    });
  }
  if (metadata["format-version"] !== 2) {
    throw new IcebergMetadataMissingError(
      `Cannot use the metadata file: format version ${metadata["format-version"]}, expected 2`,
      { table: name, file: location },
    );
  }
  return { version, uri: uriOf(storage, location), metadata };
}

/** A whole file's bytes; a missing one is an {@link IcebergMetadataMissingError} naming what it was. */
export async function readWhole(
  storage: Storage,
  location: string,
  table: string | undefined,
  what: string,
): Promise<Uint8Array> {
  try {
    const file = await storage.open(location);
    return new Uint8Array(await file.slice(0, file.byteLength));
  } catch (cause) {
    throw new IcebergMetadataMissingError(
      `Cannot read the table's ${what} ${location}: ${(cause as Error).message}`,
      { table, file: location, cause },
    );
  }
}

/**
 * Writes a new file, never replacing one; resolves `false` when the name was taken (by another writer).
 * On S3 it is one PutObject whatever its size (`size`): Ceph's gateway honours `If-None-Match: *` there
 * but not on CompleteMultipartUpload, so a metadata version past one part (8 MiB, some thousands of
 * snapshots) would otherwise let two writers both "win" it.
 */
export async function writeNew(storage: Storage, location: string, bytes: Uint8Array): Promise<boolean> {
  try {
    const sink = storage.createSink(location, { overwrite: false, size: bytes.length });
    await ReadableStream.from([bytes]).pipeTo(sink);
    return true;
  } catch (error) {
    if (error instanceof SinkError && /Refusing to replace/.test(error.message)) return false;
    throw error;
  }
}

/**
 * Writes `v<version>.metadata.json` if no writer has; `false` when one has. Then the version hint,
 * best effort: a hint that lags (another writer's, written just after ours) only sends a reader that
 * trusts it to an older, complete version.
 */
export async function writeVersion(
  storage: Storage,
  table: string,
  version: number,
  metadata: TableMetadata,
): Promise<boolean> {
  const folder = metadataFolder(storage, table);
  const bytes = new TextEncoder().encode(JSON.stringify(metadata, null, 2) + "\n");
  if (!await writeNew(storage, storage.join(folder, `v${version}.metadata.json`), bytes)) return false;
  const hint = new TextEncoder().encode(`${version}\n`);
  await ReadableStream.from([hint])
    .pipeTo(storage.createSink(storage.join(folder, "version-hint.text"), { overwrite: true }))
    .catch(() => {});
  return true;
}
