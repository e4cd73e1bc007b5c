// This module is browser compatible.

/**
 * A Parquet file's footer: the FileMetaData struct in thrift's compact protocol, each field written with
 * its declared type (so empty lists, as in a 0-row file, are valid for every reader), then its length
 * and `PAR1`.
 *
 * @module
 */

import type { ColumnChunk, KeyValue, LogicalType, RowGroup, SchemaElement } from "hyparquet";
import {
  CompressionCodecs,
  ConvertedTypes,
  EdgeInterpolationAlgorithms,
  Encodings,
  FieldRepetitionTypes,
  PageTypes,
  ParquetTypes,
} from "hyparquet/src/constants.js";
import type { ByteWriter } from "hyparquet-writer";
import { unconvertStatistics } from "hyparquet-writer/src/unconvert.js";
import { footerChecksumEntry, sealFooter } from "./footer_checksum.ts";
import { type StructWriter, T, writeBinary, writeI32, writeStruct } from "./thrift.ts";

/** What the footer records. */
export interface FooterContent {
  /** Flattened schema elements, root first. */
  schema: SchemaElement[];
  /** Total rows. */
  num_rows: bigint;
  /** Row groups, in file order. */
  row_groups: RowGroup[];
  /** Key-value metadata. */
  key_value_metadata: KeyValue[];
  /** The writer's name. */
  created_by: string;
}

const PAR1 = 0x31524150;

/** Appends the footer: FileMetaData, its length, `PAR1`. */
export function writeFooter(out: ByteWriter, footer: FooterContent): void {
  const start = out.offset;
  const leaves = footer.schema.filter((element) => !element.num_children);
  const byPath = leafIndex(footer.schema);
  writeStruct(out, (file) =>
    file
      .i32(1, 2)
      .list(2, T.STRUCT, footer.schema, (o, element) => writeStruct(o, (s) => schemaElement(s, element)))
      .i64(3, footer.num_rows)
      .list(4, T.STRUCT, footer.row_groups, (o, group) => writeStruct(o, (s) => rowGroup(s, group, byPath)))
      .list(5, T.STRUCT, [...footer.key_value_metadata, footerChecksumEntry], (o, kv) =>
        writeStruct(o, (s) =>
          s.binary(1, kv.key).binary(2, kv.value)))
      .binary(6, footer.created_by)
      // Every leaf ordered by its type's own order (ColumnOrder.TYPE_ORDER), as readers expect of stats.
      .list(7, T.STRUCT, leaves, (o) =>
        writeStruct(o, (s) =>
          s.struct(1, () => {}))));
  const length = out.offset - start;
  sealFooter(new Uint8Array(out.buffer, out.index - length, length));
  out.appendUint32(length);
  out.appendUint32(PAR1);
}

function schemaElement(s: StructWriter, e: SchemaElement): void {
  s.i32(1, e.type && ParquetTypes.indexOf(e.type))
    .i32(2, e.type_length)
    .i32(3, e.repetition_type && FieldRepetitionTypes.indexOf(e.repetition_type))
    .binary(4, e.name)
    .i32(5, e.num_children)
    .i32(6, e.converted_type && ConvertedTypes.indexOf(e.converted_type))
    .i32(7, e.scale)
    .i32(8, e.precision)
    .i32(9, e.field_id)
    .struct(10, e.logical_type && ((u) => logicalType(u, e.logical_type!)));
}

/** The LogicalType union: one field, by the type's id, holding its parameters. */
function logicalType(u: StructWriter, type: LogicalType): void {
  const empty = () => {};
  const unit = (t: StructWriter, name: string) =>
    t.struct(name === "MILLIS" ? 1 : name === "MICROS" ? 2 : 3, empty);
  switch (type.type) {
    case "STRING":
      return void u.struct(1, empty);
    case "MAP":
      return void u.struct(2, empty);
    case "LIST":
      return void u.struct(3, empty);
    case "ENUM":
      return void u.struct(4, empty);
    case "DECIMAL":
      return void u.struct(5, (d) => d.i32(1, type.scale).i32(2, type.precision));
    case "DATE":
      return void u.struct(6, empty);
    case "TIME":
    case "TIMESTAMP":
      return void u.struct(
        type.type === "TIME" ? 7 : 8,
        (t) => t.bool(1, type.isAdjustedToUTC).struct(2, (x) => unit(x, type.unit)),
      );
    case "INTEGER":
      return void u.struct(10, (i) => i.byte(1, type.bitWidth).bool(2, type.isSigned));
    case "NULL":
      return void u.struct(11, empty);
    case "JSON":
      return void u.struct(12, empty);
    case "BSON":
      return void u.struct(13, empty);
    case "UUID":
      return void u.struct(14, empty);
    case "FLOAT16":
      return void u.struct(15, empty);
    case "VARIANT":
      return void u.struct(16, empty);
    case "GEOMETRY":
      return void u.struct(17, (g) => g.binary(1, type.crs));
    case "GEOGRAPHY":
      return void u.struct(18, (g) =>
        g.binary(1, type.crs).i32(
          2,
          type.algorithm && EdgeInterpolationAlgorithms.indexOf(type.algorithm),
        ));
    default:
      throw new Error(`Cannot write logical type ${JSON.stringify(type)} in a footer`);
  }
}

function rowGroup(s: StructWriter, group: RowGroup, byPath: Map<string, SchemaElement>): void {
  s.list(1, T.STRUCT, group.columns, (o, chunk) => writeStruct(o, (c) => columnChunk(c, chunk, byPath)))
    .i64(2, group.total_byte_size)
    .i64(3, group.num_rows)
    .i64(5, group.file_offset)
    .i64(6, group.total_compressed_size);
}

function columnChunk(c: StructWriter, chunk: ColumnChunk, byPath: Map<string, SchemaElement>): void {
  const m = chunk.meta_data;
  c.binary(1, chunk.file_path)
    .i64(2, chunk.file_offset)
    .struct(
      3,
      m && ((s) => {
        const element = byPath.get(m.path_in_schema.join("."));
        if (!element) throw new Error(`unreachable: no schema element at ${m.path_in_schema.join(".")}`);
        s.i32(1, ParquetTypes.indexOf(m.type))
          .list(2, T.I32, m.encodings.map((e) => Encodings.indexOf(e)), writeI32)
          .list(3, T.BINARY, m.path_in_schema, writeBinary)
          .i32(4, CompressionCodecs.indexOf(m.codec))
          .i64(5, m.num_values)
          .i64(6, m.total_uncompressed_size)
          .i64(7, m.total_compressed_size)
          .i64(9, m.data_page_offset)
          .i64(10, m.index_page_offset)
          .i64(11, m.dictionary_page_offset)
          .struct(12, m.statistics && ((st) => statistics(st, m.statistics!, element)))
          .list(
            13,
            T.STRUCT,
            m.encoding_stats,
            (o, es) =>
              writeStruct(
                o,
                (e) =>
                  e.i32(1, PageTypes.indexOf(es.page_type)).i32(2, Encodings.indexOf(es.encoding)).i32(
                    3,
                    es.count,
                  ),
              ),
          );
      }),
    );
}

/** Statistics as bytes of the column's physical type (hyparquet-writer's conversion, truncation included). */
function statistics(
  s: StructWriter,
  stats: NonNullable<ColumnChunk["meta_data"]>["statistics"],
  element: SchemaElement,
): void {
  const f = unconvertStatistics(stats!, element) as Record<string, unknown>;
  s.binary(1, f.field_1 as Uint8Array | undefined)
    .binary(2, f.field_2 as Uint8Array | undefined)
    .i64(3, f.field_3 as bigint | undefined)
    .i64(4, f.field_4 as bigint | undefined)
    .binary(5, f.field_5 as Uint8Array | undefined)
    .binary(6, f.field_6 as Uint8Array | undefined)
    .bool(7, f.field_7 as boolean | undefined)
    .bool(8, f.field_8 as boolean | undefined)
    .i64(9, f.field_9 as bigint | undefined);
}

/** Each leaf's schema element by its dotted path. */
function leafIndex(schema: SchemaElement[]): Map<string, SchemaElement> {
  const byPath = new Map<string, SchemaElement>();
  const walk = (i: number, prefix: string[]): number => {
    const element = schema[i];
    const path = i === 0 ? [] : [...prefix, element.name];
    let next = i + 1;
    if (element.num_children) {
      for (let c = 0; c < element.num_children; c++) next = walk(next, path);
    } else byPath.set(path.join("."), element);
    return next;
  };
  walk(0, []);
  return byPath;
}
