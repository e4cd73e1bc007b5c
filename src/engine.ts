// This module is browser compatible.

/**
 * The old prototype's facade, for people who knew it: `ParquetStorageEngine` with `writeParquet`,
 * `readParquet` and `validateSchema`, as a thin layer over the streams.
 *
 * @module
 */

import * as v from "valibot";
import { ParquetStorageError, type ValidationError } from "./errors.ts";
import type { Filter } from "./read/filters.ts";
import { readDataset } from "./read/read_dataset.ts";
import { readParquet } from "./read/read_parquet.ts";
import { writeDataset } from "./export/write_dataset.ts";
import type { Row, TableDefinition } from "./schema/table.ts";
import type { S3Options } from "./sinks/sink.ts";
import type { EncodeOptions } from "./streams/encode_stream.ts";
import { type ValidateOptions, validationError } from "./streams/validate_stream.ts";
import { type RowSource, writeParquet } from "./export/write_parquet.ts";
import { BatchWriter } from "./export/batch_writer.ts";
import type { Manifest } from "./read/manifest.ts";

/** Where the engine keeps its files. */
export type EngineOptions =
  | { mode: "local"; basePath: string }
  | ({ mode: "s3"; bucket: string; basePath?: string } & S3Options);

/** Options of {@link ParquetStorageEngine.writeParquet}. */
export interface EngineWriteOptions extends ValidateOptions, EncodeOptions {
  /** The table definition the rows must match. */
  schema: TableDefinition;
  /**
   * Hive partition keys, in folder order: columns (`"project_id"`) or time keys (`"created_at:month"`).
   * With them, `path` is a dataset folder and the call returns every file written.
   */
  partitionCols?: string[];
  /** Replace an existing file with the same name. Default `false`. */
  overwrite?: boolean;
}

/** One table of {@link ParquetStorageEngine.writeBatch}. */
export interface BatchTable extends ValidateOptions, EncodeOptions {
  /** The table definition the rows must match; its name is the table's folder. */
  schema: TableDefinition;
  /** The rows. */
  rows: RowSource;
}

/** Options of {@link ParquetStorageEngine.readParquet}. */
export interface EngineReadOptions {
  /** Rows to keep; see {@link Filter}. */
  filters?: Filter;
  /** Columns to return. */
  columns?: string[];
  /** For a dataset folder: read as of a committed batch (`"latest"` or an id) instead of every file. */
  batch?: string;
}

/** The outcome of {@link ParquetStorageEngine.validateSchema}. */
export interface ValidationReport {
  /** True when every row is valid. */
  valid: boolean;
  /** The valid rows, canonicalised. */
  rows: Row[];
  /** One error per invalid row, naming row and column. */
  errors: ValidationError[];
}

/**
 * The prototype's facade over the streams: local or S3 storage under one base path.
 *
 * @example
 * ```ts
 * import { defineTable, int, ParquetStorageEngine, text } from "@parquet-storage/engine";
 * const users = defineTable("users", { id: int(), name: text() });
 * const engine = new ParquetStorageEngine({ mode: "local", basePath: await Deno.makeTempDir() });
 * const path = await engine.writeParquet("users", [{ id: 1, name: "Ada" }], { schema: users });
 * const rows = await engine.readParquet(path, { filters: { id: 1 } });
 * console.assert(rows[0].name === "Ada");
 * ```
 */
export class ParquetStorageEngine {
  /** `"local"` or `"s3"`. */
  readonly mode: "local" | "s3";
  /** The root every relative path is resolved against: a folder or `s3://bucket/prefix`. */
  readonly root: string;
  readonly #s3?: S3Options;

  /** Checks the options; nothing is touched until the first write or read. */
  constructor(options: EngineOptions) {
    if (options?.mode === "local") {
      if (typeof options.basePath !== "string" || !options.basePath) {
        throw new ParquetStorageError(
          `Cannot construct ParquetStorageEngine as basePath must be a non-empty string: current value is ${
            String(options.basePath)
          }`,
        );
      }
      this.mode = "local";
      this.root = options.basePath.replace(/\/+$/, "") || "/";
    } else if (options?.mode === "s3") {
      if (typeof options.bucket !== "string" || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(options.bucket)) {
        throw new ParquetStorageError(
          `Cannot construct ParquetStorageEngine as bucket must be an S3 bucket name: current value is ${
            String(options.bucket)
          }`,
        );
      }
      const { mode: _mode, bucket, basePath = "", ...s3 } = options;
      this.mode = "s3";
      this.root = `s3://${bucket}${basePath ? "/" + basePath.replace(/^\/+|\/+$/g, "") : ""}`;
      this.#s3 = s3;
    } else {
      throw new ParquetStorageError(
        `Cannot construct ParquetStorageEngine as mode must be "local" or "s3": current value is ${
          String((options as { mode?: unknown })?.mode)
        }`,
      );
    }
  }

  /**
   * Resolves a path against the engine's root. Absolute local paths, `s3://` URLs and paths already under
   * the root pass through, so a path `writeParquet` returned reads back as it is even when `basePath` is
   * relative (`"data"` → `data/borehole/…`): the root is applied once. A folder named like a relative
   * `basePath` inside it (`data/data/…`) is therefore reached through its full path.
   */
  resolve(path: string): string {
    if (path.startsWith("s3://") || (this.mode === "local" && path.startsWith("/"))) return path;
    if (path === this.root || path.startsWith(`${this.root}/`)) return path;
    return `${this.root}/${path.replace(/^\/+/, "")}`;
  }

  /**
   * Validates and writes rows to a new immutable file under `path` (a folder, or a file ending in
   * `.parquet`), returning the path written; with `partitionCols`, writes a hive-partitioned dataset under
   * `path` and returns every file written.
   */
  writeParquet(
    path: string,
    rows: RowSource,
    options: EngineWriteOptions & { partitionCols: string[] },
  ): Promise<string[]>;
  /** Validates and writes rows to a new immutable file under `path`, returning the path written. */
  writeParquet(path: string, rows: RowSource, options: EngineWriteOptions): Promise<string>;
  async writeParquet(path: string, rows: RowSource, options: EngineWriteOptions): Promise<string | string[]> {
    const { schema, partitionCols, overwrite, ...rest } = options ?? {};
    if (partitionCols?.length) {
      if (overwrite) {
        throw new ParquetStorageError(
          "overwrite cannot be used with partitionCols: a dataset only ever adds files",
        );
      }
      const { files } = await writeDataset(this.resolve(path), rows, {
        ...rest,
        table: schema,
        partitionBy: partitionCols,
        s3: this.#s3,
      });
      return files.map((file) => file.location);
    }
    const result = await writeParquet(this.resolve(path), rows, {
      ...rest,
      overwrite,
      table: schema,
      s3: this.#s3,
    });
    return result.location;
  }

  /**
   * Reads a Parquet file (a path ending in `.parquet`) or a partitioned dataset folder under the engine's
   * root, with optional filters and column selection.
   */
  readParquet(path: string, options: EngineReadOptions = {}): Promise<Row[]> {
    const { batch, ...read } = options;
    const location = this.resolve(path);
    if (location.endsWith(".parquet") && batch === undefined) {
      return readParquet(location, { ...read, s3: this.#s3 });
    }
    return readDataset(location, { ...read, batch, s3: this.#s3 });
  }

  /**
   * Writes several tables as one batch under `path` (default: the root): every table's file first, then
   * a manifest. All or nothing: if any table fails, the files already written are removed and no
   * manifest appears, so committed readers (`readCommitted`) see the batch entirely or not at all.
   */
  async writeBatch(tables: BatchTable[], options: { path?: string } = {}): Promise<Manifest> {
    if (!Array.isArray(tables) || tables.length === 0) {
      throw new ParquetStorageError("Cannot write a batch without tables: pass [{ schema, rows }, ...]");
    }
    const batch = new BatchWriter(options.path ? this.resolve(options.path) : this.root, { s3: this.#s3 });
    try {
      for (const { schema, rows, ...rest } of tables) await batch.writeTable(schema, rows, rest);
      return await batch.commit();
    } catch (error) {
      await batch.abandon();
      throw error;
    }
  }

  /** Validates rows against a table definition without writing anything. */
  static validateSchema(rows: Iterable<unknown>, schema: TableDefinition): ValidationReport {
    if (!rows || typeof (rows as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new ParquetStorageError(
        `Cannot validate ${rows === null ? "null" : typeof rows}: expected an array of rows`,
      );
    }
    const report: ValidationReport = { valid: true, rows: [], errors: [] };
    let position = 0;
    for (const row of rows) {
      position++;
      const result = v.safeParse(schema, row);
      if (result.success) report.rows.push(result.output as Row);
      else report.errors.push(validationError(schema.name, position, result.issues));
    }
    report.valid = report.errors.length === 0;
    return report;
  }
}
