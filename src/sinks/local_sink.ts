/**
 * The local file sink: bytes go to a hidden temporary file in the target folder, which is flushed, then
 * linked into place without replacing anything (or renamed over the old file when `overwrite` is set),
 * and the folder is flushed. On abort or error the temporary file is removed: nothing new is visible.
 *
 * @module
 */

import { link, mkdir, open, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { SinkError } from "../errors.ts";
import type { FileSink, SinkOptions } from "./sink.ts";

/**
 * The hidden name a file is written under until it is complete: `.<name>.<8 hex>.tmp`, in its folder.
 * A crash (kill -9, power loss) leaves it behind; `vacuum` finds it by this pattern.
 */
export const TEMPORARY_NAME: RegExp = /^\.(.+)\.[0-9a-f]{8}\.tmp$/;

/**
 * A `WritableStream` that writes one immutable local file, visible only after a clean close.
 *
 * @example
 * ```ts
 * import { LocalFileSink } from "@parquet-storage/engine/local";
 * const dir = await Deno.makeTempDir();
 * await ReadableStream.from([new Uint8Array([1, 2, 3])]).pipeTo(new LocalFileSink(`${dir}/a.bin`));
 * console.assert((await Deno.readFile(`${dir}/a.bin`)).length === 3);
 * ```
 */
export class LocalFileSink extends WritableStream<Uint8Array> implements FileSink {
  /** The final path of the file. */
  readonly location: string;
  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.#progress.bytes;
  }

  #progress: { bytes: number };

  /** Prepares to write `path`; nothing touches the disk until the first write. */
  constructor(path: string, options: SinkOptions = {}) {
    const { overwrite = false, signal } = options;
    const temporary = join(dirname(path), `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
    // Keep the name in step with TEMPORARY_NAME, by which vacuum finds what a crash left.
    const progress = { bytes: 0 };
    let handle: FileHandle | undefined;
    const ensureOpen = async () => {
      if (handle) return handle;
      try {
        await mkdir(dirname(path), { recursive: true });
        handle = await open(temporary, "wx");
      } catch (cause) {
        throw new SinkError(`Cannot create a temporary file (${describeCause(cause)})`, {
          location: path,
          cause,
        });
      }
      return handle;
    };
    const discard = async () => {
      await handle?.close().catch(() => {});
      handle = undefined;
      await unlink(temporary).catch(() => {});
    };
    let discarding: Promise<void> | undefined;
    const failIfAborted = async () => {
      if (!signal?.aborted) return;
      await (discarding ??= discard());
      throw signal.reason;
    };
    super({
      start() {
        // Clean up at once; the next write or close then fails with the reason, after the cleanup.
        signal?.addEventListener("abort", () => void (discarding = discard()), { once: true });
      },
      async write(chunk) {
        await failIfAborted();
        if (!(chunk instanceof Uint8Array)) {
          await discard();
          throw new SinkError(`Cannot write a ${typeof chunk} to a file: expected Uint8Array`, {
            location: path,
          });
        }
        const file = await ensureOpen();
        try {
          let offset = 0;
          while (offset < chunk.length) offset += (await file.write(chunk, offset)).bytesWritten;
          progress.bytes += chunk.length;
        } catch (cause) {
          await discard();
          throw new SinkError(`Cannot write (${describeCause(cause)})`, { location: path, cause });
        }
      },
      async close() {
        await failIfAborted();
        const file = await ensureOpen();
        try {
          await file.sync();
          await file.close();
          handle = undefined;
          if (overwrite) {
            await rename(temporary, path);
          } else {
            // link() fails when the name exists, so an existing file is never replaced.
            await link(temporary, path);
            await unlink(temporary);
          }
          await syncFolder(dirname(path));
        } catch (cause) {
          await discard();
          const exists = (cause as { code?: string }).code === "EEXIST";
          throw new SinkError(
            exists
              ? "Refusing to replace an existing file (pass overwrite: true to replace it)"
              : `Cannot finish the file (${describeCause(cause)})`,
            { location: path, cause },
          );
        }
      },
      async abort() {
        await discard();
      },
    });
    this.location = path;
    this.#progress = progress;
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function describeCause(cause: unknown): string {
  return (cause as { code?: string }).code ?? (cause as Error).message ?? String(cause);
}
