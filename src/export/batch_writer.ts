// This module is browser compatible.

/**
 * Writing a batch: data files first, each with its checksum, then the manifest last, with the same
 * no-replace rule as data files. A batch is committed exactly when its manifest exists; a batch that
 * fails removes what it wrote (best effort: what it cannot remove stays invisible to committed reads,
 * and `vacuum` finds it).
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";
import { type TableDefinition, tableSpec } from "../schema/table.ts";
import { safeName } from "../sinks/file_name.ts";
import { type OpenOptions, storageFor } from "../storage/open_location.ts";
import type { Storage } from "../storage/storage.ts";
import { type RowSource, type WriteOptions, writeParquet } from "./write_parquet.ts";
import {
  type Manifest,
  MANIFEST_FOLDER,
  MANIFEST_FORMAT,
  type ManifestFile,
  type ManifestTable,
  newBatchId,
  normalizeRoot,
  relativePath,
  type Watermark,
} from "../read/manifest.ts";

/** Options of a table written into a batch. */
export interface BatchTableOptions extends Omit<WriteOptions, "table" | "checksum" | "overwrite"> {
  /** `full` (default) or `incremental`. */
  mode?: "full" | "incremental";
  /** The watermark reached, for incremental exports. */
  watermark?: Watermark | null;
}

/**
 * Collects the files of one batch under an output root and commits them with a manifest.
 *
 * @example
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { BatchWriter, readCommitted } from "@parquet-storage/engine/batch";
 * const root = await Deno.makeTempDir();
 * const table = defineTable("t", { id: int() });
 * const batch = new BatchWriter(root);
 * await batch.writeTable(table, [{ id: 1 }]);
 * const manifest = await batch.commit();
 * console.assert((await readCommitted(root, "t")).length === 1 && manifest.tables.length === 1);
 * ```
 */
export class BatchWriter {
  /** The batch id. */
  readonly id: string;
  /** The output root (local folder or `s3://bucket/prefix`). */
  readonly root: string;
  readonly #startedAt = new Date();
  readonly #tables: ManifestTable[] = [];
  readonly #written: string[] = [];
  readonly #options: OpenOptions;
  #storage?: Promise<Storage>;
  #state: "open" | "committed" | "failed" = "open";

  /** Starts a batch under `root`; nothing is written until the first table. */
  constructor(root: string, options: OpenOptions & { id?: string } = {}) {
    this.root = normalizeRoot(root);
    this.id = options.id ?? newBatchId(this.#startedAt);
    this.#options = options;
  }

  /** The tables recorded so far, in order. */
  get tables(): readonly ManifestTable[] {
    return this.#tables;
  }

  /** The storage behind the root. */
  storage(): Promise<Storage> {
    return this.#storage ??= storageFor(this.root, this.#options);
  }

  /** Writes one table's rows as a new file under `<root>/<table>/` and records it in the batch. */
  async writeTable(
    table: TableDefinition,
    rows: RowSource,
    options: BatchTableOptions = {},
  ): Promise<ManifestTable> {
    this.#assertOpen();
    const storage = await this.storage();
    const { mode = "full", watermark = null, ...write } = options;
    const result = await writeParquet(storage.join(this.root, safeName(table.name)), rows, {
      ...this.#options,
      ...write,
      table,
      checksum: true,
    });
    const file = {
      path: this.relative(result.location),
      rows: result.rows,
      bytes: result.bytes,
      sha256: result.sha256!,
    };
    return this.record(table, [file], { mode, watermark });
  }

  /** Records files written by other means (e.g. a partitioned write) as one table of the batch. */
  record(
    table: TableDefinition,
    files: ManifestFile[],
    { mode = "full", watermark = null }: { mode?: "full" | "incremental"; watermark?: Watermark | null } = {},
  ): ManifestTable {
    this.#assertOpen();
    // So that abandon() removes these too.
    for (const file of files) this.#written.push(`${this.root}/${file.path}`);
    const existing = this.#tables.find((t) => t.name === table.name);
    if (existing) {
      existing.files.push(...files);
      return existing;
    }
    const entry: ManifestTable = {
      name: table.name,
      mode,
      schema: tableSpec(table),
      files: [...files],
      watermark,
    };
    this.#tables.push(entry);
    return entry;
  }

  /** Commits the batch: writes `<root>/_manifests/<id>.json`, never replacing one. */
  async commit(details: { snapshot?: string | null } = {}): Promise<Manifest> {
    this.#assertOpen();
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      batch: this.id,
      startedAt: this.#startedAt.toISOString(),
      committedAt: new Date().toISOString(),
      snapshot: details.snapshot ?? null,
      tables: this.#tables,
    };
    const storage = await this.storage();
    const bytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + "\n");
    await ReadableStream.from([bytes]).pipeTo(
      // One conditional PutObject on S3 whatever its size: a second commit of the batch is refused.
      storage.createSink(storage.join(this.root, MANIFEST_FOLDER, `${this.id}.json`), {
        overwrite: false,
        size: bytes.length,
      }),
    );
    this.#state = "committed";
    return manifest;
  }

  /** Abandons the batch: removes the files it wrote or recorded; no manifest is written. */
  async abandon(): Promise<void> {
    if (this.#state === "committed") {
      throw new ParquetStorageError(`Batch ${this.id} is committed: it cannot be abandoned`);
    }
    this.#state = "failed";
    const storage = await this.storage();
    await Promise.all(this.#written.map((location) => storage.remove(location).catch(() => {})));
  }

  /** The path of `location` relative to the root, with `/` separators. */
  relative(location: string): string {
    return relativePath(this.root, location);
  }

  #assertOpen(): void {
    if (this.#state !== "open") {
      throw new ParquetStorageError(`Batch ${this.id} is ${this.#state}: start a new one`);
    }
  }
}
