// This module is browser compatible.

/**
 * The way out of every file an export writes, written once for both doors: Parquet bytes → the
 * progress counter's byte count → SHA-256 → an immutable sink, and, on a clean close, the file as a
 * manifest records it. On any failure the sink is aborted and nothing is left visible.
 *
 * @module
 */

import type { Storage } from "../storage/storage.ts";
import { ChecksumStream } from "../streams/checksum_stream.ts";
import type { ProgressCounter } from "../streams/progress.ts";

/** One file written to the end. */
export interface PipedFile {
  /** Where it is: a local path or `s3://bucket/key`. */
  location: string;
  /** Its size. */
  bytes: number;
  /** Its SHA-256, lowercase hex (unless `checksum: false`). */
  sha256?: string;
}

/** Options of {@link filePipeline}. */
export interface PipelineOptions {
  /** Counts the bytes as they leave. */
  progress?: ProgressCounter;
  /** Hash the bytes (for manifests). Default `true`. */
  checksum?: boolean;
  /** Replace an existing file. Default `false`. */
  overwrite?: boolean;
  /** Aborts the sink directly (its pipe's signal); without it, abort `writable` to leave nothing. */
  signal?: AbortSignal;
}

/** An open file: write Parquet bytes to `writable`; `done` settles once the sink has finished. */
export interface FilePipeline {
  /** Takes the file's bytes; close it to finish the file, abort it to leave nothing. */
  readonly writable: WritableStream<Uint8Array>;
  /** The file once visible; rejects (after the sink has removed what it wrote) on failure. */
  readonly done: Promise<PipedFile>;
}

/**
 * Opens the pipeline of one file at `location` in `storage`, counting its bytes into `progress`.
 *
 * @example
 * ```ts
 * import { LocalStorage } from "../storage/local_storage.ts";
 * import { filePipeline } from "./pipeline.ts";
 * const dir = await Deno.makeTempDir();
 * const pipe = filePipeline(new LocalStorage(), `${dir}/a.bin`);
 * await ReadableStream.from([new Uint8Array([1, 2, 3])]).pipeTo(pipe.writable);
 * const file = await pipe.done;
 * console.assert(file.bytes === 3 && file.sha256?.startsWith("039058c6"));
 * ```
 */
export function filePipeline(
  storage: Storage,
  location: string,
  options: PipelineOptions = {},
): FilePipeline {
  const { progress, checksum = true, overwrite = false, signal } = options;
  const sink = storage.createSink(location, { overwrite });
  const tap = checksum ? new ChecksumStream() : undefined;
  const entry = progress ? progress.countBytes() : new TransformStream<Uint8Array, Uint8Array>();
  const done = (tap ? entry.readable.pipeThrough(tap) : entry.readable).pipeTo(sink, { signal }).then(
    async () => ({
      location: sink.location,
      bytes: sink.bytesWritten,
      ...(tap ? { sha256: (await tap.result).sha256 } : {}),
    }),
  );
  done.catch(() => {}); // awaited by the caller; this keeps an early failure from going unhandled
  return { writable: entry.writable, done };
}

/**
 * Writes a whole byte stream through {@link filePipeline}: the file once visible, or the stream's error
 * once the sink has removed what it wrote (also when `signal` aborts).
 */
export async function pipeFile(
  bytes: ReadableStream<Uint8Array>,
  storage: Storage,
  location: string,
  options: PipelineOptions = {},
): Promise<PipedFile> {
  // The signal stops the bytes; their pipe's abort reaches the sink, and `done` waits for its cleanup.
  const { signal, ...rest } = options;
  const pipe = filePipeline(storage, location, rest);
  const [piped, done] = await Promise.allSettled([
    bytes.pipeTo(pipe.writable, { signal }),
    pipe.done,
  ]);
  if (piped.status === "rejected") throw piped.reason;
  if (done.status === "rejected") throw done.reason;
  return done.value;
}
