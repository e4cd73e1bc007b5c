/**
 * One table written into a batch as a hive-partitioned dataset through binary COPY: each tuple's fields
 * go straight into the column buffers of its partition's row group (no row objects), with at most
 * `maxOpenPartitions` files open (the least recently used is finished when one more is needed) and the
 * buffered row groups of all partitions together cut at `rowGroupBytes` or `rowGroupSize` rows, so memory
 * is one row group's, as for one file (the buffers go from partition to partition: partition_buffers.ts).
 * Each file leaves through the export's one pipeline (`src/export/pipeline.ts`). The folders and files
 * are those `writeDataset` makes from the same rows.
 *
 * Why one file: the partitions' open files, their buffered row groups and the shared memory cut are
 * one piece of state, changed on every tuple; split, each part would reach into the others.
 *
 * @module
 */

import type { BatchWriter } from "./batch_writer.ts";
import type { ManifestTable } from "../read/manifest.ts";
import { ParquetStorageError, ValidationError } from "../errors.ts";
import { filePipeline, type PipedFile } from "./pipeline.ts";
import type { ParquetFileWriter } from "../parquet/file_writer.ts";
import { geoKeyValues } from "../parquet/geo_metadata.ts";
import { type EncodedRowGroup, stateEncoder } from "../parquet/row_group_encoder.ts";
import type { FileFacts } from "../schema/kinds/kind.ts";
import type { ColumnBuffer } from "../parquet/column_buffer.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import { tableSpec } from "../schema/table.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName, safeName } from "../sinks/file_name.ts";
import {
  type EncodeOptions,
  encodeSettings,
  openFileWriter,
  rowGroupSettings,
} from "../parquet/parquet_writer.ts";
import { DATASET_METADATA_KEY, type DatasetSpec, keyEntry } from "../schema/partition_key.ts";
import { MAX_SEGMENT_BYTES, partitionSegment, segmentBytes } from "../schema/partition_path.ts";
import { PartitionStream } from "../streams/partition_stream.ts";
import { ProgressCounter } from "../streams/progress.ts";
import { DATASET_DEFAULTS } from "./write_dataset.ts";
import { CopyBinaryDecoder, copyBinaryStatement, CopyColumns } from "../postgres/copy_binary.ts";
import { copyKeyText, type KeyText } from "../postgres/copy_partition_key.ts";
import { PartitionBuffers } from "./partition_buffers.ts";
import { type CopyQuery, openCopy } from "../postgres/copy_out.ts";
import type { IdleGuard } from "../postgres/idle_timeout.ts";
import { type Since, sourceError } from "../postgres/table_source.ts";

/** Options of {@link writePartitionedByCopy}. */
export interface CopyPartitionOptions extends EncodeOptions, IdleGuard {
  /** Partition keys, as `writeDataset` takes them. */
  partitionBy: readonly string[];
  /** Partitions with a file open at once. Default 64 (`DATASET_DEFAULTS`). */
  maxOpenPartitions?: number;
  /** How the batch records the table. Default `"full"`. */
  mode?: "full" | "incremental";
  /** Read only the rows after this watermark. */
  since?: Since;
  /** Counts rows and bytes as they are written. */
  progress?: ProgressCounter;
  /** Stops the write: every open file is aborted, the files finished are removed. */
  signal?: AbortSignal;
}

/**
 * Whether `writePartitionedByCopy` can partition `table` by `partitionBy`: every key's kind has a
 * COPY text (not real, float or numeric).
 *
 * @example
 * ```ts ignore
 * if (copyBinarySupports(table) && copyPartitionSupports(table, ["created_at:month"])) …
 * ```
 */
export function copyPartitionSupports(table: TableDefinition, partitionBy: readonly string[]): boolean {
  return new PartitionStream(table, partitionBy).keys.every((key) => copyKeyText(key) !== undefined);
}

interface Part {
  path: string;
  values: Record<string, string | null>;
  /** The row group being built; none while the partition is idle (its buffers given back). */
  columns: CopyColumns | undefined;
  /** What its values add up to (geometry extents), kept while its buffers are given back. */
  facts: FileFacts;
  file: ParquetFileWriter;
  pending: Uint8Array[];
  writer: WritableStreamDefaultWriter<Uint8Array>;
  done: Promise<PipedFile>;
  rows: number;
}

/** What {@link writePartitionedByCopy} needs of a postgres.js connection or transaction. */
export interface CopySql {
  unsafe(query: string): CopyQuery;
}

/**
 * Writes `table` (read in `sql`'s snapshot) as a partitioned dataset under `<batch root>/<table>/` and
 * records its files in the batch. On failure nothing of the table is left visible: open files are
 * aborted, finished ones removed, and the COPY is cancelled and drained.
 *
 * @example
 * ```ts ignore
 * await writePartitionedByCopy(tx, batch, table, { partitionBy: ["created_at:month"] });
 * ```
 */
export async function writePartitionedByCopy(
  sql: CopySql,
  batch: BatchWriter,
  table: TableDefinition,
  options: CopyPartitionOptions,
): Promise<ManifestTable> {
  const { partitionBy, mode = "full", since, signal, idleTimeout, onStall, ...encode } = options;
  const { maxOpenPartitions = DATASET_DEFAULTS.maxOpenPartitions, progress = new ProgressCounter() } =
    options;
  signal?.throwIfAborted();
  const partitioner = new PartitionStream(table, partitionBy);
  const fileTable = partitioner.fileTable;
  const spec: DatasetSpec = { table: tableSpec(table), partitionBy: partitioner.keys.map(keyEntry) };
  const settings = encodeSettings(fileTable, {
    ...encode,
    metadata: { ...encode.metadata, [DATASET_METADATA_KEY]: JSON.stringify(spec) },
  }, "writePartitionedByCopy");
  const layout = parquetLayout(fileTable, { fieldIds: settings.fieldIds });
  const groupSettings = rowGroupSettings(layout.schema, settings);
  const names = Object.keys(table.columns);
  const keys = partitioner.keys.map((key) => ({
    key,
    field: names.indexOf(key.column),
    text: copyKeyText(key) as KeyText,
    segments: new Map<string | null, string>(), // the folder name of each value seen (most are few)
  }));
  const storage = await batch.storage();
  const root = storage.join(batch.root, safeName(table.name));
  const open = new Map<string, Part>(); // in least recently used order
  const closing: Part[] = [];
  const finished: PipedFile[] = [];
  const records: { path: string; rows: number; bytes: number; sha256: string }[] = [];
  let recent: Part | undefined;

  // Called only once the COPY runs, when `route` below is defined.
  const decoder = new CopyBinaryDecoder(table, (bytes, starts, lengths) => route(bytes, starts, lengths));
  const fields = decoder.fields();

  // The key texts of the tuple being routed, and of the last tuple routed to `recent`.
  const texts: (string | null)[] = keys.map(() => null);
  let recentTexts: (string | null)[] = [];
  const route = (bytes: Uint8Array, starts: Int32Array, lengths: Int32Array): CopyColumns => {
    let same = recent !== undefined;
    for (let k = 0; k < keys.length; k++) {
      const { key, field, text } = keys[k];
      let value: string | null = null;
      if (lengths[field] !== -1) {
        try {
          value = text(bytes, starts[field], lengths[field]);
        } catch (cause) {
          throw new ValidationError(`cannot partition by ${keyEntry(key)}: ${(cause as Error).message}`, {
            table: table.name,
            row: decoder.rows + 1,
            column: key.column,
            cause,
          });
        }
      }
      texts[k] = value;
      same &&= value === recentTexts[k];
    }
    // Most tuples go where the one before went: no folder name, no object, no string made for them.
    if (same) {
      buffers.routed(true);
      return columnsOf(recent!);
    }
    const values: Record<string, string | null> = {};
    let path = "";
    for (let k = 0; k < keys.length; k++) {
      const { key, segments } = keys[k], value = texts[k];
      let segment = segments.get(value);
      if (segment === undefined) {
        segment = partitionSegment(key.name, value);
        if (segments.size < 4096) segments.set(value, segment);
      }
      if (segment.length * 3 > MAX_SEGMENT_BYTES && segmentBytes(segment) > MAX_SEGMENT_BYTES) {
        throw new ValidationError(
          `the partition folder name would be ${
            segmentBytes(segment)
          } bytes, more than the ${MAX_SEGMENT_BYTES} filesystems allow`,
          { table: table.name, row: decoder.rows + 1, column: key.column },
        );
      }
      values[key.name] = value;
      path = path ? `${path}/${segment}` : segment;
    }
    buffers.routed(recent?.path === path);
    if (recent?.path === path) return columnsOf(recent);
    let part = open.get(path);
    if (part) open.delete(path);
    else {
      if (open.size >= maxOpenPartitions) {
        const oldest = open.values().next().value!;
        open.delete(oldest.path);
        closing.push(oldest);
      }
      part = openPart(path, values);
    }
    open.set(path, part);
    recent = part;
    recentTexts = texts.slice();
    return columnsOf(part);
  };

  const buffers = new PartitionBuffers(
    (facts, reused) => new CopyColumns(fileTable, layout.schema, fields, facts, reused),
    settings.rowGroupSize / 4,
  );
  const columnsOf = (part: Part) => buffers.columnsOf(part, open.values());

  const openPart = (path: string, values: Record<string, string | null>): Part => {
    const pipe = filePipeline(storage, storage.join(root, ...path.split("/"), parquetFileName(table.name)), {
      progress,
    });
    const pending: Uint8Array[] = [];
    return {
      path,
      values,
      columns: undefined,
      facts: { geometries: new Map() },
      file: openFileWriter(fileTable, layout.schema, settings, (bytes) => pending.push(bytes)),
      pending,
      writer: pipe.writable.getWriter(),
      done: pipe.done,
      rows: 0,
    };
  };

  const drain = async (part: Part) => {
    for (const bytes of part.pending.splice(0)) await part.writer.write(bytes);
  };

  // One encoder for every partition (its page buffers are as big as the largest column chunk), each row
  // group written for its own file's offset.
  let encodeGroup: ((buffers: ColumnBuffer[], offset: number) => EncodedRowGroup) | undefined;
  const flush = async (part: Part) => {
    const columns = part.columns;
    const rows = columns?.rows;
    if (!columns || !rows) return;
    encodeGroup ??= await stateEncoder(groupSettings);
    let group: EncodedRowGroup;
    try {
      group = encodeGroup(columns.buffers, part.file.offset);
    } catch (cause) {
      throw new ParquetStorageError(`Cannot encode a row group: ${(cause as Error).message}`, {
        table: table.name,
        cause,
      });
    }
    part.file.append(group, rows);
    columns.reset();
    part.rows += rows;
    progress.rows += rows;
    await drain(part);
  };

  const finish = async (part: Part) => {
    if (recent === part) recent = undefined;
    await flush(part);
    part.file.finish(geoKeyValues(part.facts));
    await drain(part);
    await part.writer.close();
    const file = await part.done;
    finished.push(file);
    records.push({
      path: batch.relative(file.location),
      rows: part.rows,
      bytes: file.bytes,
      sha256: file.sha256!,
    });
  };

  const copy = await openCopy(sql.unsafe(copyBinaryStatement(table, table.pgSchema, table.name, since)), {
    idleTimeout,
    onStall,
    table: table.name,
  });
  const chunks = copy.chunks[Symbol.asyncIterator]();
  try {
    let sinceCut = 0;
    for (;;) {
      signal?.throwIfAborted();
      // A tuple that would take its partition's row group past rowGroupBytes flushes it first.
      const full = decoder.decodeInto(settings.rowGroupSize, settings.rowGroupBytes);
      for (const part of closing.splice(0)) await finish(part);
      if (full) {
        const part = [...open.values()].find((p) => p.columns === full);
        if (part) await flush(part);
        continue;
      }
      if (decoder.done) break;
      // The row groups of all partitions together are cut by bytes and rows: a table interleaving many
      // partitions holds one row group's worth, not one per partition (its files get smaller row groups).
      let buffered = 0;
      for (const part of open.values()) buffered += part.columns?.rows ?? 0;
      if (sinceCut >= settings.rowGroupBytes || buffered >= settings.rowGroupSize) {
        for (const part of open.values()) await flush(part);
        buffers.cut(open.values());
        sinceCut = 0;
      }
      const next = await chunks.next();
      if (next.done) {
        throw new ParquetStorageError("The COPY stream ended before its trailer: a file would be short", {
          table: table.name,
        });
      }
      decoder.push(next.value);
      sinceCut += next.value.length;
    }
    for (const part of [...open.values()]) await finish(part);
    open.clear();
  } catch (error) {
    recent = undefined;
    const aborting = [...open.values(), ...closing.splice(0)];
    open.clear();
    await Promise.all(aborting.map(async (part) => {
      await part.writer.abort(error).catch(() => {});
      await part.done.catch(() => {});
    }));
    await Promise.all(finished.map((file) => storage.remove(file.location).catch(() => {})));
    await copy.stop();
    throw signal?.aborted ? sourceError(table.name, signal.reason) : error;
  }
  await copy.end();
  records.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return batch.record(table, records, { mode });
}
