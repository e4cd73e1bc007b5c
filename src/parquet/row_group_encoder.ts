// This module is browser compatible.

/**
 * Turns the column buffers of a complete row group into its bytes (column chunks, back to back) and
 * their metadata: in this thread, or in a worker on another core so that decoding the next row group
 * and encoding this one overlap. Either way row groups come out in the order they went in, with file
 * offsets counted from the end of the `PAR1` header.
 *
 * @module
 */

import type { ColumnChunk, SchemaElement } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { type Codec, loadCompressors } from "./codecs.ts";
import type { ColumnBuffer, ColumnState } from "./column_buffer.ts";
import { ColumnChunkWriter } from "./column_chunk.ts";

/** The length of the `PAR1` that opens a file: where the first row group starts. */
export const HEADER_LENGTH = 4;

/** One encoded row group. */
export interface EncodedRowGroup {
  /**
   * Its column chunks' bytes, in order, in parts: the small pages of a column chunk together, a long
   * page as its own part or parts (so no buffer holds a whole row group, nor a copy of a long page).
   */
  parts: Uint8Array[];
  /** Their metadata, with offsets in the file. */
  columns: ColumnChunk[];
}

/** What the encoders need to know of the file. */
export interface RowGroupSettings {
  /** The schema elements of the leaf columns, in order. */
  elements: SchemaElement[];
  /** Their paths in the schema. Default: each element's name (a flat schema). */
  paths?: string[][];
  codec: Codec;
  /** The codec's compression level; default the codec's own. */
  level?: number;
  pageSize: number;
}

/** Encodes row groups, one after another. */
export interface RowGroupEncoder {
  /** Takes the buffers' row group (the caller resets them next); resolves to its bytes, in order. */
  encode(buffers: ColumnBuffer[]): Promise<EncodedRowGroup>;
  /** Ends the encoder (and its worker). */
  close(): void;
  /** Whether it works in a worker (and so alongside its caller). */
  readonly inWorker: boolean;
}

/** Encodes in this thread: `encode` does its work before it returns. */
export async function inThreadEncoder(settings: RowGroupSettings): Promise<RowGroupEncoder> {
  const encode = await stateEncoder(settings);
  return {
    encode: (buffers) => {
      try {
        return Promise.resolve(encode(buffers));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    close() {},
    inWorker: false,
  };
}

/**
 * The encoding proper, shared by both encoders: column chunks written into one writer whose offset
 * runs over the whole file; given `offset` (where the row group will start in its file), the writer
 * starts there, so one encoder can serve several files in turn (the partitions of a dataset).
 */
export async function stateEncoder(
  { elements, paths, codec, level, pageSize }: RowGroupSettings,
): Promise<(buffers: ColumnBuffer[], offset?: number) => EncodedRowGroup> {
  const compress = (await loadCompressors(codec, level))[codec];
  const file = new ByteWriter(1024 * 1024);
  file.offset = HEADER_LENGTH;
  const pages = new ColumnChunkWriter(file, { codec, compress, pageSize });
  return (buffers, offset) => {
    if (offset !== undefined) file.offset = offset;
    const parts: Uint8Array[] = [];
    const columns = buffers.map((buffer, i) => {
      file.index = 0;
      return pages.write(buffer, elements[i], paths?.[i] ?? [elements[i].name], parts);
    });
    return { parts, columns };
  };
}

/**
 * Whether a worker pays by default: with three cores or more. An export keeps PostgreSQL busy on one
 * core and the decoder on another; on two cores a worker only competes with them (measured on the
 * 1M-row bench table: 2.43 s against 2.53 s, for 85 MiB more memory).
 */
export function workerPays(): boolean {
  return (globalThis.navigator?.hardwareConcurrency ?? 1) >= 3;
}

/**
 * Encodes in a worker; undefined where workers cannot run this module (Node.js, a runtime without
 * module workers), and the caller encodes in its own thread.
 */
export function workerEncoder(settings: RowGroupSettings): RowGroupEncoder | undefined {
  if (typeof Worker === "undefined") return undefined;
  let worker: Worker;
  try {
    worker = new Worker(new URL("./encode_worker.ts", import.meta.url).href, { type: "module" });
  } catch {
    return undefined;
  }
  const waiting: { resolve: (group: EncodedRowGroup) => void; reject: (error: Error) => void }[] = [];
  let failed: Error | undefined;
  const fail = (error: Error) => {
    failed ??= error;
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.onmessage = (event: MessageEvent) => {
    const { error, ...group } = event.data;
    const next = waiting.shift();
    if (error) next?.reject(Object.assign(new Error(error.message), { name: error.name }));
    else next?.resolve(group as EncodedRowGroup);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    fail(new Error(`The encoding worker failed: ${event.message}`));
  };
  worker.postMessage({ settings });
  return {
    encode(buffers) {
      if (failed) return Promise.reject(failed);
      const detached = buffers.map((buffer) => buffer.detach());
      const states: ColumnState[] = detached.map((d) => d.state);
      worker.postMessage({ states }, detached.flatMap((d) => d.transfer));
      const group = new Promise<EncodedRowGroup>((resolve, reject) => waiting.push({ resolve, reject }));
      group.catch(() => {}); // awaited by the caller in order; never an unhandled rejection if it is not
      return group;
    },
    close() {
      worker.terminate();
      fail(new Error("The encoding worker was closed"));
    },
    inWorker: true,
  };
}
