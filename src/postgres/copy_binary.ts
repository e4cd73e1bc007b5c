// This module is browser compatible.

/**
 * PostgreSQL's binary COPY format split into tuples and fields, each field handed to its column's
 * writer (its kind's `copy.field`, in src/schema/kinds/), which puts Parquet's bytes for it into a column buffer: no row objects, no
 * canonical strings, no per-value validation. Hand-written because no maintained library decodes
 * COPY binary, and because the speed of the export hangs on this loop.
 *
 * Why one file: the decoder and the statement it decodes (each column cast to its declared type) are
 * one contract; split, a change to either would have to be mirrored in the other.
 *
 * The query casts every column to the type its definition declares, so PostgreSQL itself guarantees
 * that the bytes have the layout decoded here (and refuses values that do not fit, such as a numeric
 * too wide for its precision); only NOT NULL and the special values PostgreSQL has and Parquet does not
 * (numeric NaN, infinite dates and timestamps) are checked per value.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { ColumnBuffer } from "../parquet/column_buffer.ts";
import { parquetLeaves } from "../parquet/leaves.ts";
import { ValidationError } from "../errors.ts";
import type { ColumnSpec, FieldWriter, FileFacts, Refuse } from "../schema/kinds/kind.ts";
import { kindOf } from "../schema/kinds/registry.ts";
import { qualifiedName, quoteIdent } from "./read_sql.ts";
import type { TableDefinition } from "../schema/table.ts";
import { sinceClauses } from "./since_sql.ts";
import type { Since } from "./table_source.ts";
import type { LastTuple } from "./copy_last_tuple.ts";

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0

/**
 * Whether every column of `table` can be read through binary COPY (all but arrays of unconstrained
 * numerics, whose elements' text PostgreSQL would have to trim one by one).
 *
 * @example
 * ```ts
 * import { array, defineTable, geographyPoint, int, numeric } from "@parquet-storage/engine";
 * import { copyBinarySupports } from "@parquet-storage/engine/postgres";
 * console.assert(copyBinarySupports(defineTable("t", { id: int(), at: geographyPoint() })));
 * console.assert(!copyBinarySupports(defineTable("t", { id: int(), free: array(numeric()) })));
 * ```
 */
export function copyBinarySupports(table: TableDefinition): boolean {
  return Object.values(table.columns).every(({ spec, pgType }) => {
    const copy = kindOf(spec).copy;
    return copy !== undefined && (copy.supports?.(spec, pgType) ?? true);
  });
}

/**
 * The `COPY (SELECT …) TO STDOUT (FORMAT binary)` statement for a table, each column cast to the type
 * its definition declares (enums and unconstrained numerics as text, the latter without trailing
 * zeros); with `since`, only the rows after that watermark, in watermark and key order.
 *
 * @example
 * ```ts
 * import { defineTable, int, numeric } from "@parquet-storage/engine";
 * import { copyBinaryStatement } from "@parquet-storage/engine/postgres";
 * const sql = copyBinaryStatement(defineTable("t", { id: int(), depth: numeric(8, 2) }), "public", "t");
 * console.assert(sql === `COPY (SELECT "id"::integer, "depth"::numeric(8,2) FROM "public"."t") TO STDOUT (FORMAT binary)`);
 * ```
 */
export function copyBinaryStatement(
  table: TableDefinition,
  pgSchema: string,
  pgTable: string,
  since?: Since,
): string {
  return copyBinaryFrom(table, qualifiedName(pgSchema, pgTable), since);
}

/**
 * The same statement reading from any `FROM` item, such as a subquery (`(SELECT …) AS source`).
 *
 * @example
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { copyBinaryFrom } from "./copy_binary.ts";
 * const sql = copyBinaryFrom(defineTable("q", { n: int() }), "(SELECT 1 AS n) AS source");
 * console.assert(sql === `COPY (SELECT "n"::integer FROM (SELECT 1 AS n) AS source) TO STDOUT (FORMAT binary)`);
 * ```
 */
export function copyBinaryFrom(table: TableDefinition, from: string, since?: Since): string {
  const list = Object.entries(table.columns).map(([name, { spec, pgType, readFrom }]) => {
    // Qualified, so that an incremental ORDER BY means the table's columns, not the casts' output.
    const col = readFrom ?? (since ? `${from}.${quoteIdent(name)}` : quoteIdent(name));
    return kindOf(spec).copy?.select?.(col, spec, pgType) ?? `${col}::${pgType}`;
  });
  const clauses = since ? sinceClauses(table, from, since) : undefined;
  const tail = clauses ? [clauses.where, clauses.order].filter(Boolean).map((c) => ` ${c}`).join("") : "";
  return `COPY (SELECT ${list.join(", ")} FROM ${from}${tail}) TO STDOUT (FORMAT binary)`;
}

/**
 * The column buffers of one row group a COPY fills (one per Parquet leaf, as the rows door has them), and
 * the writer of each COPY field into them. A field whose column the file leaves out (a partition column,
 * kept in the folder name) is skipped.
 */
export class CopyColumns {
  /** One buffer per leaf of the file's schema: the row group being built. */
  readonly buffers: ColumnBuffer[];
  /** Rows in the buffers. */
  rows = 0;
  /** COPY bytes of the tuples in the buffers. */
  bytes = 0;
  /** Set to take no more tuples: the decoder hands the row group back as full before the next. */
  closed = false;
  /** Per COPY field: its writer, or undefined for a field the file leaves out. */
  readonly writers: (FieldWriter | undefined)[];
  /** Per COPY field: the buffers a NULL goes into (none for a field left out). */
  readonly nulls: ColumnBuffer[][];
  /** What the values written so far add up to (geometry extents), for the file's footer. */
  readonly facts: FileFacts;

  /**
   * Buffers for `file` (the table the file holds), whose flattened Parquet schema (root first) is
   * `schema`; `fields` are the COPY's columns, in order, with the refusal of a bad value in each; `facts`
   * are the file's so far, when its earlier row groups were built in other buffers; `buffers`, empty
   * ones of the same schema to reuse (another partition's, given back).
   */
  constructor(
    file: TableDefinition,
    schema: SchemaElement[],
    fields: { name: string; refuse: Refuse }[],
    facts: FileFacts = { geometries: new Map() },
    buffers?: ColumnBuffer[],
  ) {
    this.facts = facts;
    const leaves = parquetLeaves(schema);
    this.buffers = buffers ?? leaves.map((leaf) => new ColumnBuffer(leaf.shape));
    const at = new Map<string, { sinks: ColumnBuffer[]; leaves: SchemaElement[] }>();
    let leaf = 0;
    for (const [name, { spec }] of Object.entries(file.columns)) {
      const count = kindOf(spec).parquet(name, spec, file).elements.filter((e) => !e.num_children).length;
      at.set(name, {
        sinks: this.buffers.slice(leaf, leaf + count),
        leaves: leaves.slice(leaf, leaf + count).map((l) => l.element),
      });
      leaf += count;
    }
    this.writers = fields.map(({ name, refuse }) => {
      const place = at.get(name);
      return place && copyField(file.columns[name].spec, place.leaves, place.sinks, refuse, this.facts);
    });
    this.nulls = fields.map(({ name }) => at.get(name)?.sinks ?? []);
  }

  /** Empties the buffers for the next row group, keeping their memory. */
  reset(): void {
    for (const buffer of this.buffers) buffer.reset();
    this.rows = this.bytes = 0;
    this.closed = false;
  }
}

/**
 * Where a tuple goes: the row group (of its partition's file) that takes it, chosen from its fields
 * (`starts[f]` and `lengths[f]` locate field `f` in `bytes`; a length of -1 is NULL).
 */
export type CopyRoute = (bytes: Uint8Array, starts: Int32Array, lengths: Int32Array) => CopyColumns;

/**
 * Decodes a COPY binary stream, chunk by chunk, into column buffers: those of the one row group being
 * built, or, given a `route`, those of the row group each tuple's partition is building.
 */
export class CopyBinaryDecoder {
  /** Rows decoded so far, over all row groups. */
  rows = 0;
  /** Whether the trailer was seen. */
  done = false;
  /** The row group being built (without a route). */
  readonly columns: CopyColumns | undefined;
  #names: string[];
  #nullable: boolean[];
  #route: CopyRoute | undefined;
  #starts: Int32Array;
  #lengths: Int32Array;
  #bytes: Uint8Array = new Uint8Array(0);
  /** Where the bytes pushed end in `#bytes` (which may have room beyond). */
  #end = 0;
  /** Whether `#bytes` is the decoder's own (joined) array, which chunks may be appended to. */
  #joined = false;
  #at = 0;
  #headerRead = false;
  #table: string;
  #last: LastTuple | undefined;

  /**
   * A decoder of `table`'s COPY (see {@link copyBinaryStatement}) into the buffers of `schema`, its
   * flattened Parquet schema (root first); or, with `route`, into the buffers `route` picks per tuple.
   */
  constructor(table: TableDefinition, schema: SchemaElement[] | CopyRoute, last?: LastTuple) {
    this.#table = table.name;
    this.#last = last;
    const specs = Object.entries(table.columns).map(([name, { spec }]) => ({ name, spec }));
    this.#names = specs.map((c) => c.name);
    this.#nullable = specs.map((c) => c.spec.nullable);
    this.#starts = new Int32Array(specs.length);
    this.#lengths = new Int32Array(specs.length);
    if (typeof schema === "function") this.#route = schema;
    else this.columns = new CopyColumns(table, schema, this.fields());
  }

  /** The COPY's fields, in order, each with the refusal of a bad value in it (naming the row). */
  fields(): { name: string; refuse: Refuse }[] {
    return this.#names.map((name) => ({ name, refuse: (reason: string) => this.#refuse(name, reason) }));
  }

  /** Rows in the buffers now (without a route). */
  get buffered(): number {
    return this.columns?.rows ?? 0;
  }

  /** The row group being built, one buffer per leaf (without a route). */
  get buffers(): ColumnBuffer[] {
    return this.columns?.buffers ?? [];
  }

  /** Adds a chunk of the stream; `decode` reads it. */
  push(chunk: Uint8Array): void {
    const rest = this.#end - this.#at;
    if (!rest) {
      this.#bytes = chunk;
      this.#end = chunk.length;
      this.#joined = false;
    } else if (this.#joined && this.#at === 0 && this.#end + chunk.length <= this.#bytes.length) {
      // A big tuple arriving over many chunks: appended in place, not copied again with each chunk.
      this.#bytes.set(chunk, this.#end);
      this.#end += chunk.length;
    } else {
      // A tuple cut at the end of the last chunk: join its start to this chunk. A tuple still incomplete
      // after a join (a big value over many chunks) gets room to grow, twice what is held, so it is
      // copied a few times, not once per chunk.
      const growing = this.#joined && this.#at === 0;
      const joined = new Uint8Array((growing ? 2 : 1) * (rest + chunk.length));
      joined.set(this.#bytes.subarray(this.#at, this.#end));
      joined.set(chunk, rest);
      this.#bytes = joined;
      this.#end = rest + chunk.length;
      this.#joined = true;
    }
    this.#at = 0;
  }

  /** Starts a new row group: the buffers are empty again (and their memory reused). */
  reset(): void {
    this.columns?.reset();
  }

  /**
   * Decodes whole tuples from what was pushed, until the row group a tuple went to holds `limit` rows,
   * or the next tuple would take a row group that has rows past `byteLimit` COPY bytes (so a huge value
   * starts a row group rather than joining a full one), and that row group is returned; or until the
   * bytes run out (undefined). A tuple cut at the end of a chunk waits for the next one.
   */
  decodeInto(limit: number, byteLimit = Infinity): CopyColumns | undefined {
    const bytes = this.#bytes, end = this.#end;
    let at = this.#at;
    if (!this.#headerRead) {
      if (end - at < 19) return undefined;
      if (SIGNATURE.some((b, i) => bytes[at + i] !== b)) {
        throw new ValidationError("expected PostgreSQL's binary COPY signature", { table: this.#table });
      }
      at += 19 + int32(bytes, at + 15);
      this.#headerRead = true;
    }
    const fields = this.#names.length, starts = this.#starts, lengths = this.#lengths;
    let full: CopyColumns | undefined;
    let kept = -1;
    while (!full && !this.done && at + 2 <= end) {
      const count = (bytes[at] << 8 | bytes[at + 1]) << 16 >> 16;
      if (count === -1) {
        this.done = true;
        at += 2;
        break;
      }
      if (count !== fields) {
        throw new ValidationError(`expected ${fields} columns in a COPY tuple, received ${count}`, {
          table: this.#table,
          row: this.rows + 1,
        });
      }
      // Find the tuple's end first, so a tuple split across chunks is decoded only once it is whole.
      let p = at + 2;
      for (let f = 0; f < fields && p <= end; f++) {
        const length = p + 4 <= end ? int32(bytes, p) : 0;
        if (length < -1) {
          throw new ValidationError(`a COPY field of length ${length}: the stream is corrupt`, {
            table: this.#table,
            row: this.rows + 1,
            column: this.#names[f],
          });
        }
        starts[f] = p + 4;
        lengths[f] = length;
        p += 4 + (length > 0 ? length : 0);
      }
      if (p > end) break;
      const target = this.#route ? this.#route(bytes, starts, lengths) : this.columns!;
      if (target.rows && (target.closed || target.bytes + (p - at) > byteLimit)) {
        full = target;
        break;
      }
      target.bytes += p - at;
      const writers = target.writers;
      for (let f = 0; f < fields; f++) {
        if (lengths[f] === -1) {
          if (!this.#nullable[f]) this.#refuse(this.#names[f], "null in a column that is not nullable");
          for (const sink of target.nulls[f]) sink.addNull();
        } else writers[f]?.(bytes, starts[f], lengths[f]);
      }
      this.rows++;
      if (++target.rows >= limit) full = target;
      kept = at;
      at = p;
    }
    if (this.#last && kept >= 0) this.#keep(bytes, kept + 2);
    this.#at = at;
    return full;
  }

  /** {@link decodeInto} without a route: whether the row group is now full. */
  decode(limit: number, byteLimit?: number): boolean {
    return this.decodeInto(limit, byteLimit) !== undefined || this.buffered >= limit;
  }

  /** Hands the fields of the tuple whose first field is at `p` to the kept last tuple. */
  #keep(bytes: Uint8Array, p: number): void {
    const starts = this.#starts, lengths = this.#lengths;
    for (let f = 0; f < this.#names.length; f++) {
      lengths[f] = int32(bytes, p);
      starts[f] = p + 4;
      p += 4 + (lengths[f] > 0 ? lengths[f] : 0);
    }
    this.#last!.keep(bytes, starts, lengths);
  }

  #refuse(column: string, reason: string): never {
    throw new ValidationError(reason, { table: this.#table, row: this.rows + 1, column });
  }
}

function int32(b: Uint8Array, at: number): number {
  return b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
}

function copyField(
  spec: ColumnSpec,
  leaves: SchemaElement[],
  sinks: ColumnBuffer[],
  refuse: Refuse,
  facts: FileFacts,
): FieldWriter {
  const copy = kindOf(spec).copy;
  if (copy?.fields) return copy.fields(spec, leaves, sinks, refuse, facts);
  if (copy?.field) return copy.field(spec, leaves[0], sinks[0], refuse, facts);
  throw new Error(`unreachable: ${spec.kind} is not read through binary COPY`);
}
