// This module is browser compatible.

/**
 * A committed file checked against its manifest entry: the size and SHA-256 recorded at commit, so a
 * damaged or replaced file is an error naming it, never different rows.
 *
 * @module
 */

import { ReadError } from "../errors.ts";
import { createHasher } from "../sinks/hashes.ts";
import type { Storage } from "../storage/storage.ts";
import type { ManifestFile } from "./manifest.ts";

/** Bytes hashed per read: memory stays at one slice whatever the file size. */
const SLICE = 8 * 1024 * 1024;

/**
 * Checks that `location` has the size and SHA-256 its manifest recorded; throws a {@link ReadError}
 * naming the file and table otherwise.
 */
export async function checkManifestFile(
  storage: Storage,
  location: string,
  file: ManifestFile,
  table: string,
): Promise<void> {
  const buffer = await storage.open(location);
  const damaged = (why: string): never => {
    throw new ReadError(`Cannot read ${location}: the file is damaged or replaced (${why})`, {
      table,
      file: location,
    });
  };
  if (buffer.byteLength !== file.bytes) {
    damaged(`it has ${buffer.byteLength} bytes, its manifest says ${file.bytes}`);
  }
  const hasher = await createHasher("sha256");
  for (let at = 0; at < buffer.byteLength; at += SLICE) {
    hasher.update(new Uint8Array(await buffer.slice(at, Math.min(buffer.byteLength, at + SLICE))));
  }
  const sha256 = hasher.hex();
  if (sha256 !== file.sha256) damaged(`its SHA-256 is ${sha256}, its manifest says ${file.sha256}`);
}
