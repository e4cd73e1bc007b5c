/**
 * Reading in depth: rows as streams (one row group in memory at a time), the filter vocabulary, and the
 * options of dataset reads. `readParquet` and `readDataset`, which load everything, are in the main
 * entry point.
 *
 * ```ts
 * import { defineTable, int, writeParquet } from "@parquet-storage/engine";
 * import { type Filter, readParquetStream } from "@parquet-storage/engine/read";
 *
 * const table = defineTable("t", { id: int() });
 * const { location } = await writeParquet(await Deno.makeTempDir(), [{ id: 1 }, { id: 2 }], { table });
 * const filters: Record<string, Filter> = { id: { $gt: 1 } };
 * const rows = await Array.fromAsync(readParquetStream(location, { filters }));
 * console.assert(rows.length === 1 && rows[0].id === 2);
 * ```
 *
 * @module
 */

export type { Filter, FilterOperators } from "./src/read/filters.ts";
export { type ParquetSource, readParquetStream } from "./src/read/read_parquet.ts";
export { type ReadDatasetOptions, readDatasetStream } from "./src/read/read_dataset.ts";
export type { OpenOptions } from "./src/storage/open_location.ts";
export type { EngineReadOptions } from "./src/engine.ts";
