// This module is browser compatible.

/**
 * The frame of a Parquet file, for both doors: `PAR1`, then encoded row groups as they come (their column
 * chunks' bytes, with offsets counted from the file's start by the {@link RowGroupEncoder}), then the
 * footer. Bytes go to `emit` as soon as they are known, so memory holds no more than one row group.
 *
 * @module
 */

import type { KeyValue, RowGroup, SchemaElement } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { writeFooter } from "./footer.ts";
import type { EncodedRowGroup } from "./row_group_encoder.ts";

/** What the footer records besides the row groups. */
export interface FileWriterOptions {
  /** The flattened schema, root first. */
  schema: SchemaElement[];
  /** Key-value metadata. */
  metadata: KeyValue[];
  /** The writer's name. Default `"parquet-storage"`. */
  createdBy?: string;
}

/** Writes one Parquet file's frame around row groups encoded elsewhere. */
export class ParquetFileWriter {
  /** Rows in the row groups appended so far. */
  rows = 0;
  /** Bytes emitted so far. */
  offset = 0;
  #options: FileWriterOptions;
  #emit: (bytes: Uint8Array) => void;
  #groups: RowGroup[] = [];

  /** Emits `PAR1` at once. */
  constructor(options: FileWriterOptions, emit: (bytes: Uint8Array) => void) {
    this.#options = options;
    this.#emit = emit;
    this.#out(new Uint8Array([0x50, 0x41, 0x52, 0x31]));
  }

  /** Emits an encoded row group of `rows` rows, recording it for the footer. */
  append(group: EncodedRowGroup, rows: number): void {
    const first = group.columns[0]?.file_offset;
    if (first !== undefined && first !== BigInt(this.offset)) {
      throw new Error(`A row group encoded for offset ${first} came at offset ${this.offset}`);
    }
    let size = 0;
    for (const part of group.parts) size += part.length;
    let total_byte_size = 0n;
    for (const column of group.columns) total_byte_size += column.meta_data!.total_uncompressed_size;
    this.#groups.push({
      columns: group.columns,
      total_byte_size,
      num_rows: BigInt(rows),
      file_offset: BigInt(this.offset),
      total_compressed_size: BigInt(size),
    });
    this.rows += rows;
    for (const part of group.parts) this.#out(part);
  }

  /** Emits the footer, with `extra` key-value metadata learnt from the values: the file is complete. */
  finish(extra: KeyValue[] = []): void {
    const out = new ByteWriter(16 * 1024);
    out.offset = this.offset;
    writeFooter(out, {
      schema: this.#options.schema,
      num_rows: BigInt(this.rows),
      row_groups: this.#groups,
      key_value_metadata: [...this.#options.metadata, ...extra],
      created_by: this.#options.createdBy ?? "parquet-storage",
    });
    this.#out(out.getBytes().slice());
  }

  #out(bytes: Uint8Array): void {
    this.offset += bytes.length;
    this.#emit(bytes);
  }
}
