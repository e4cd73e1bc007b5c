/**
 * Local disk: the immutable file sink and the local storage. These use `node:fs`, so they live apart from
 * the main entry point, which runs where no filesystem exists.
 *
 * ```ts
 * import { defineTable, EncodeStream, int } from "@parquet-storage/engine";
 * import { LocalFileSink } from "@parquet-storage/engine/local";
 *
 * const table = defineTable("t", { id: int() });
 * const dir = await Deno.makeTempDir();
 * await ReadableStream.from([{ id: 1 }]).pipeThrough(new EncodeStream(table)).pipeTo(new LocalFileSink(`${dir}/t.parquet`));
 * ```
 *
 * @module
 */

export { LocalFileSink } from "./src/sinks/local_sink.ts";
export { LocalStorage, openLocalFile } from "./src/storage/local_storage.ts";
