// This module is browser compatible.

/**
 * Damage detection on read. hyparquet checks no page CRC, so a flipped bit in a page would decode as a
 * different value. Here every page of a column chunk about to be read is walked: its header parsed
 * (hyparquet's own parser), its CRC32 checked where the writer stored one, and its counts checked
 * against the footer's (values, rows, nulls). Parquet gives the footer no checksum; ours carry one in
 * their key-value metadata (see footer_checksum.ts), and what any footer says is also checked against
 * itself and against the file: row counts, chunk offsets, and the schema against the table definition it
 * records. The chunk bytes read for this are then served to the decoder, so the
 * check costs one CRC pass, not a second read.
 *
 * Why one file: the page walk, the footer checks and the serving of the checked bytes share one pass over
 * a chunk; split, the chunk would be read or parsed twice.
 *
 * @module
 */

import { crc32 } from "../parquet/crc32.ts";
import type { AsyncBuffer, ColumnChunk, FileMetaData, PageHeader, SchemaElement } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { deserializeTCompactProtocol } from "hyparquet/src/thrift.js";
import { ReadError } from "../errors.ts";
import { checkFooterChecksum } from "../parquet/footer_checksum.ts";
import { parquetLayout } from "../schema/parquet_schema.ts";
import type { TableDefinition } from "../schema/table.ts";

/** Which file is read, for error messages. */
export interface Where {
  /** A path, an `s3://` URL, or "a buffer". */
  file: string;
  /** The table the file records, if any. */
  table?: string;
}

/** The `created_by` of the files this library writes. */
const WRITER = "parquet-storage";

/** Schema fields whose change would change how values are read. */
const SCHEMA_FIELDS = [
  "name",
  "type",
  "type_length",
  "repetition_type",
  "num_children",
  "converted_type",
  "scale",
  "precision",
] as const;

/**
 * Checks a footer against itself, the file's size and the table definition it records; throws a
 * {@link ReadError} naming the file on the first inconsistency.
 */
export function checkFooter(
  metadata: FileMetaData,
  byteLength: number,
  table: TableDefinition | undefined,
  where: Where,
): void {
  const damaged = (why: string, context: { rowGroup?: number; column?: string } = {}): never => {
    throw new ReadError(`Cannot read ${where.file}: the file is damaged (${why})`, {
      ...where,
      ...context,
    });
  };
  // Our writer always records the table: a file of ours without it has had its key damaged.
  if (!table && metadata.created_by === WRITER) damaged("its table definition is missing");
  if (table) {
    let expected: SchemaElement[];
    try {
      expected = parquetLayout(table).schema;
    } catch (cause) {
      return damaged(`its table definition cannot be used: ${(cause as Error).message}`);
    }
    if (expected.length !== metadata.schema.length) {
      damaged(
        `its schema has ${metadata.schema.length} elements, its table definition makes ${expected.length}`,
      );
    }
    expected.forEach((element, i) => {
      for (const field of SCHEMA_FIELDS) {
        if (i === 0 && field === "name") continue;
        if ((element[field] ?? undefined) !== (metadata.schema[i][field] ?? undefined)) {
          damaged(
            `schema element ${i} (${metadata.schema[i].name}) has ${field} ${metadata.schema[i][field]}, ` +
              `its table definition says ${element[field]}`,
            { column: element.name },
          );
        }
      }
    });
  }
  const leaves = leafPaths(metadata.schema);
  let rows = 0n;
  let previousEnd = 4;
  for (const [index, group] of metadata.row_groups.entries()) {
    if (typeof group.num_rows !== "bigint" && typeof group.num_rows !== "number") {
      damaged("a row group has no row count", { rowGroup: index });
    }
    rows += BigInt(group.num_rows);
    if (group.columns.length !== leaves.length) {
      damaged(`a row group has ${group.columns.length} column chunks for ${leaves.length} columns`, {
        rowGroup: index,
      });
    }
    for (const [i, chunk] of group.columns.entries()) {
      const meta = chunk.meta_data;
      const column = meta?.path_in_schema.join(".");
      if (!meta) damaged("a column chunk has no metadata", { rowGroup: index });
      if (column !== leaves[i].path || meta!.type !== leaves[i].type) {
        damaged(
          `column chunk ${i} is ${column} of ${meta!.type}, the schema says ${leaves[i].path} of ${
            leaves[i].type
          }`,
          {
            rowGroup: index,
            column,
          },
        );
      }
      const { start, end } = chunkRange(chunk);
      if (start < previousEnd || end > byteLength - 8) {
        damaged(`column chunk at bytes ${start}-${end} is outside the data or overlaps another`, {
          rowGroup: index,
          column,
        });
      }
      previousEnd = end;
      if (meta!.path_in_schema.length === 1 && meta!.num_values !== group.num_rows) {
        damaged(`a column chunk holds ${meta!.num_values} values in a row group of ${group.num_rows} rows`, {
          rowGroup: index,
          column,
        });
      }
    }
  }
  if (rows !== metadata.num_rows) {
    damaged(`its row groups hold ${rows} rows, its footer says ${metadata.num_rows}`);
  }
}

/** The schema's leaves in order, as dotted paths, with their physical types. */
function leafPaths(schema: SchemaElement[]): { path: string; type: string | undefined }[] {
  const leaves: { path: string; type: string | undefined }[] = [];
  let next = 1;
  const walk = (prefix: string[]) => {
    const element = schema[next++];
    if (!element) return;
    const path = [...prefix, element.name];
    if (element.num_children) { for (let c = 0; c < element.num_children; c++) walk(path); }
    else leaves.push({ path: path.join("."), type: element.type });
  };
  for (let c = 0; c < (schema[0]?.num_children ?? 0); c++) walk([]);
  return leaves;
}

/**
 * Checks that the footer's Thrift ends exactly where the file says it does: a flip that turns a field
 * header into a stop leaves the rest unread (the table definition, say), and the file reads as another.
 */
export async function checkFooterLength(
  file: AsyncBuffer,
  metadata: FileMetaData,
  where: Where,
): Promise<void> {
  const length = metadata.metadata_length;
  const bytes = new Uint8Array(await file.slice(file.byteLength - 8 - length, file.byteLength - 8));
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  try {
    deserializeTCompactProtocol(reader);
  } catch {
    reader.offset = -1;
  }
  if (reader.offset !== length) {
    throw new ReadError(
      `Cannot read ${where.file}: the file is damaged (its footer's ${length} bytes do not parse to their end)`,
      where,
    );
  }
  const checksum = checkFooterChecksum(bytes);
  // Our writer always seals its footers: one of ours without the entry has had it damaged.
  if (checksum === "mismatch" || (checksum === "absent" && metadata.created_by === WRITER)) {
    throw new ReadError(
      `Cannot read ${where.file}: the file is damaged (its footer ${
        checksum === "mismatch" ? "does not match its CRC32" : "has lost its CRC32"
      })`,
      where,
    );
  }
}

/** Where a column chunk's pages are, dictionary first. */
function chunkRange(chunk: ColumnChunk): { start: number; end: number } {
  const meta = chunk.meta_data!;
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/**
 * Reads the chunks of `leaves` in row group `index`, checks every page (CRC32, counts) and returns the
 * file as an `AsyncBuffer` that serves those bytes from memory; throws a {@link ReadError} naming
 * file, table, column and row group on damage.
 */
export async function verifiedRowGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  index: number,
  leaves: readonly string[],
  where: Where,
): Promise<AsyncBuffer> {
  const group = metadata.row_groups[index];
  const wanted = new Set(leaves);
  const ranges: { start: number; bytes: Uint8Array }[] = [];
  for (const chunk of group.columns) {
    const meta = chunk.meta_data!;
    if (!wanted.has(meta.path_in_schema[0])) continue;
    const { start, end } = chunkRange(chunk);
    const bytes = new Uint8Array(await file.slice(start, end));
    const column = meta.path_in_schema.join(".");
    const damaged = (why: string): never => {
      throw new ReadError(`Cannot read ${where.file}: the file is damaged (${why})`, {
        ...where,
        column,
        rowGroup: index,
      });
    };
    checkPages(bytes, meta, group.num_rows, damaged);
    ranges.push({ start, bytes });
  }
  return servedFrom(file, ranges.sort((a, b) => a.start - b.start));
}

function checkPages(
  bytes: Uint8Array,
  meta: NonNullable<ColumnChunk["meta_data"]>,
  groupRows: bigint,
  damaged: (why: string) => never,
): void {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let values = 0;
  let rows = 0;
  let nulls = 0;
  let v2 = false;
  while (reader.offset < bytes.length) {
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (cause) {
      return damaged(`a page header at byte ${reader.offset} cannot be read: ${(cause as Error).message}`);
    }
    const size = header.compressed_page_size;
    const bodyStart = reader.offset;
    if (!(Number.isInteger(size) && size >= 0 && bodyStart + size <= bytes.length)) {
      damaged(`a page of ${size} bytes runs past its column chunk`);
    }
    const body = bytes.subarray(bodyStart, bodyStart + size);
    if (header.crc !== undefined && header.crc !== null && crc32(body) !== header.crc) {
      damaged("a page's CRC32 does not match its bytes");
    }
    if (header.data_page_header) values += header.data_page_header.num_values;
    const v2Header = header.data_page_header_v2;
    if (v2Header) {
      v2 = true;
      values += v2Header.num_values;
      rows += v2Header.num_rows;
      nulls += v2Header.num_nulls;
      const levels = v2Header.definition_levels_byte_length + v2Header.repetition_levels_byte_length;
      if (v2Header.num_nulls > v2Header.num_values || levels > size) damaged("a page header is inconsistent");
    }
    reader.offset = bodyStart + size;
  }
  if (BigInt(values) !== meta.num_values) {
    damaged(`its pages hold ${values} values, the footer says ${meta.num_values}`);
  }
  if (v2 && meta.path_in_schema.length === 1 && BigInt(rows) !== groupRows) {
    damaged(`its pages hold ${rows} rows, the footer says ${groupRows}`);
  }
  const nullCount = meta.statistics?.null_count;
  if (v2 && nullCount !== undefined && BigInt(nulls) !== nullCount) {
    damaged(`its pages hold ${nulls} nulls, the footer's statistics say ${nullCount}`);
  }
}

/** `file`, with the byte ranges already read served from memory. */
function servedFrom(file: AsyncBuffer, ranges: { start: number; bytes: Uint8Array }[]): AsyncBuffer {
  return {
    byteLength: file.byteLength,
    slice(start: number, end: number = file.byteLength) {
      const out = new Uint8Array(Math.max(0, end - start));
      let at = start;
      for (const range of ranges) {
        const rangeEnd = range.start + range.bytes.length;
        if (rangeEnd <= at || range.start > at) continue;
        const take = Math.min(end, rangeEnd) - at;
        out.set(range.bytes.subarray(at - range.start, at - range.start + take), at - start);
        at += take;
        if (at >= end) return out.buffer;
      }
      return at >= end ? out.buffer : file.slice(start, end);
    },
  };
}
