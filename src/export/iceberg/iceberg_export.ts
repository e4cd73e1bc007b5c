/**
 * An export run with `format: "iceberg"`: each table is an Iceberg table at `<out>/<table>/`. Before a
 * table's rows are read its current metadata is read, so that its data files carry the right field ids
 * (and a column whose type changed stops the run before anything is written); after the snapshot's
 * transaction has ended, each table's files are committed as one snapshot of that table.
 *
 * @module
 */

import type { ManifestTable, Watermark } from "../../read/manifest.ts";
import type { BatchWriter } from "../batch_writer.ts";
import type { TableDefinition } from "../../schema/table.ts";
import { safeName } from "../../sinks/file_name.ts";
import type { Storage } from "../../storage/storage.ts";
import type { EncodeOptions } from "../../parquet/parquet_writer.ts";
import {
  commitSnapshot,
  type IcebergCommit,
  planTable,
  type TablePlan,
  WATERMARK_SUMMARY,
} from "./commit_snapshot.ts";
import { ICEBERG_SCHEMA_KEY } from "./empty_data_file.ts";
import type { DataFileEntry } from "./manifests.ts";
import { currentMetadata, uriOf } from "./metadata_store.ts";
import { partitionTuple } from "./partition_spec.ts";
import { currentSnapshot } from "./table_metadata.ts";

/** How a table's files are written for its target format. */
export interface TableEncoding {
  /** Field ids and footer metadata. */
  encode: Pick<EncodeOptions, "fieldIds" | "metadata">;
  /** Keep partition columns in the files. */
  keepPartitionColumns: boolean;
}

/** What an export run asks of its output format, table by table. */
export interface TableTarget {
  /** Where an incremental export of the table starts. */
  watermark(table: TableDefinition): Promise<Watermark | null>;
  /** How to write the table's files (read before its rows are). */
  prepare(table: TableDefinition, partitionBy: string[]): Promise<TableEncoding>;
}

/** The Iceberg side of one export run: plans tables as they start, commits them at the end. */
export class IcebergTarget implements TableTarget {
  readonly #batch: BatchWriter;
  readonly #plans = new Map<string, { plan: TablePlan; table: TableDefinition; partitionBy: string[] }>();
  readonly #prepared = new Map<string, Promise<TableEncoding>>();

  /** A target writing into `batch`'s root. */
  constructor(batch: BatchWriter) {
    this.#batch = batch;
  }

  /** The table's location. */
  async location(name: string): Promise<{ storage: Storage; location: string }> {
    const storage = await this.#batch.storage();
    return { storage, location: storage.join(this.#batch.root, safeName(name)) };
  }

  /** The watermark of the table's current snapshot. */
  async watermark(table: TableDefinition): Promise<Watermark | null> {
    const { storage, location } = await this.location(table.name);
    const snapshot = currentSnapshot((await currentMetadata(storage, location, table.name))?.metadata);
    const recorded = snapshot?.summary[WATERMARK_SUMMARY];
    return recorded ? JSON.parse(recorded) : null;
  }

  /**
   * Plans the table's schema and spec on its current metadata, once per table: the block ranges of a
   * table that parallel workers export share its plan.
   */
  prepare(table: TableDefinition, partitionBy: string[]): Promise<TableEncoding> {
    let prepared = this.#prepared.get(table.name);
    if (!prepared) {
      prepared = this.#prepare(table, partitionBy);
      this.#prepared.set(table.name, prepared);
    }
    return prepared;
  }

  async #prepare(table: TableDefinition, partitionBy: string[]): Promise<TableEncoding> {
    const { storage, location } = await this.location(table.name);
    const plan = planTable(table, partitionBy, await currentMetadata(storage, location, table.name));
    this.#plans.set(table.name, { plan, table, partitionBy });
    return {
      encode: {
        fieldIds: plan.schema.fieldIds,
        metadata: { [ICEBERG_SCHEMA_KEY]: JSON.stringify(plan.schema.schema) },
      },
      keepPartitionColumns: true,
    };
  }

  /**
   * Commits every table of the batch, one snapshot each, in export order. When one fails, the files of
   * that table and of those after it are removed (best effort; nothing references them) and the error
   * is thrown: the tables before it stay committed.
   */
  async commit(tables: readonly ManifestTable[]): Promise<IcebergCommit[]> {
    const commits: IcebergCommit[] = [];
    try {
      await this.#commitEach(tables, commits);
    } catch (error) {
      const storage = await this.#batch.storage();
      const left = tables.slice(commits.length).flatMap((t) => t.files);
      await Promise.all(
        left.map((f) => storage.remove(storage.join(this.#batch.root, ...f.path.split("/"))).catch(() => {})),
      );
      throw error;
    }
    return commits;
  }

  async #commitEach(tables: readonly ManifestTable[], commits: IcebergCommit[]): Promise<void> {
    for (const entry of tables) {
      const planned = this.#plans.get(entry.name)!;
      const { storage, location } = await this.location(entry.name);
      const prefix = `${safeName(entry.name)}/`;
      const files: DataFileEntry[] = entry.files.map((file) => ({
        uri: uriOf(storage, storage.join(this.#batch.root, ...file.path.split("/"))),
        rows: file.rows,
        bytes: file.bytes,
        partition: partitionTuple(
          file.path.slice(prefix.length),
          planned.plan.spec,
          planned.plan.schema.schema,
        ),
      }));
      commits.push(
        await commitSnapshot(storage, location, planned.table, planned.partitionBy, planned.plan, files, {
          operation: entry.mode === "incremental" ? "append" : "overwrite",
          summary: {
            "parquet-storage.batch": this.#batch.id,
            ...(entry.watermark ? { [WATERMARK_SUMMARY]: JSON.stringify(entry.watermark) } : {}),
          },
        }),
      );
    }
  }
}
