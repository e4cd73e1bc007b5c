/**
 * Local folders as a {@link Storage}: immutable file sinks, random-access reads and recursive listing.
 *
 * @module
 */

import { open, readdir, stat, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AsyncBuffer } from "hyparquet";
import { ReadError } from "../errors.ts";
import { LocalFileSink, TEMPORARY_NAME } from "../sinks/local_sink.ts";
import type { FileSink, SinkOptions } from "../sinks/sink.ts";
import type { Storage, StoredFile, UnfinishedWrite } from "./storage.ts";

/**
 * Opens a local file for random-access reads (hyparquet's `AsyncBuffer`): only the ranges asked for are read.
 *
 * @example
 * ```ts
 * import { openLocalFile } from "@parquet-storage/engine/local";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "PAR1");
 * const file = await openLocalFile(path);
 * console.assert(file.byteLength === 4);
 * ```
 */
export async function openLocalFile(path: string): Promise<AsyncBuffer> {
  let byteLength: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a regular file");
    byteLength = info.size;
  } catch (cause) {
    throw new ReadError(
      `Cannot open ${path}: ${(cause as { code?: string }).code ?? (cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return {
    byteLength,
    async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
      const handle = await open(path, "r");
      try {
        const buffer = new Uint8Array(Math.max(0, end - start));
        let read = 0;
        while (read < buffer.length) {
          const { bytesRead } = await handle.read(buffer, read, buffer.length - read, start + read);
          if (!bytesRead) break;
          read += bytesRead;
        }
        return buffer.buffer;
      } finally {
        await handle.close();
      }
    },
  };
}

/**
 * Local disk as a {@link Storage}.
 *
 * @example
 * ```ts
 * import { LocalStorage } from "@parquet-storage/engine/local";
 * const storage = new LocalStorage();
 * console.assert(storage.join("data", "borehole") === "data/borehole");
 * ```
 */
export class LocalStorage implements Storage {
  /** Opens an immutable file sink at `location`. */
  createSink(location: string, options?: SinkOptions): FileSink {
    return new LocalFileSink(location, options);
  }

  /** Opens a file for ranged reads. */
  open(location: string): Promise<AsyncBuffer> {
    return openLocalFile(location);
  }

  /** Lists files below a folder, skipping hidden names (temporary files of unfinished writes). */
  async *list(location: string): AsyncIterable<StoredFile> {
    let entries;
    try {
      entries = await readdir(location, { withFileTypes: true });
    } catch (cause) {
      if ((cause as { code?: string }).code === "ENOENT") return;
      throw new ReadError(`Cannot list ${location}: ${(cause as Error).message}`, { cause });
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith(".")) continue;
      const path = join(location, entry.name);
      if (entry.isDirectory()) yield* this.list(path);
      else if (entry.isFile()) {
        // A file removed between readdir and stat (another writer's cleanup) is simply gone.
        const info = await stat(path).catch((cause) => {
          if ((cause as { code?: string }).code === "ENOENT") return undefined;
          throw cause;
        });
        if (info) yield { location: path, size: info.size, modified: info.mtime };
      }
    }
  }

  /** Lists the hidden temporary files of writes that never finished, below a folder. */
  async *listUnfinished(location: string): AsyncIterable<UnfinishedWrite> {
    let entries;
    try {
      entries = await readdir(location, { withFileTypes: true });
    } catch (cause) {
      if ((cause as { code?: string }).code === "ENOENT") return;
      throw new ReadError(`Cannot list ${location}: ${(cause as Error).message}`, { cause });
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(location, entry.name);
      if (entry.isDirectory()) yield* this.listUnfinished(path);
      else if (entry.isFile() && TEMPORARY_NAME.test(entry.name)) {
        const info = await stat(path).catch(() => undefined); // finished meanwhile: gone
        if (info) yield { location: path, size: info.size, modified: info.mtime };
      }
    }
  }

  /** Deletes a temporary file; a missing one is fine. */
  async discardUnfinished(write: UnfinishedWrite): Promise<void> {
    await this.remove(write.location);
  }

  /** Deletes a file; a missing one is fine. */
  async remove(location: string): Promise<void> {
    await unlink(location).catch((cause) => {
      if ((cause as { code?: string }).code !== "ENOENT") throw cause;
    });
  }

  /** Joins path segments. */
  join(...parts: string[]): string {
    return join(...parts);
  }

  /** The `file://` URI of a path, made absolute. */
  uri(location: string): string {
    return pathToFileURL(resolve(location)).href;
  }
}
