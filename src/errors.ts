// This module is browser compatible.

/**
 * Typed errors. Each carries the table, row and column it concerns where those are known, so that a
 * message can be acted on and a program can branch on the class and the fields.
 *
 * @module
 */

/** Where an error happened: any of table, row number (1-based, in stream order) and column. */
export interface ErrorContext {
  /** The table (or dataset) name. */
  table?: string;
  /** The 1-based position of the row in its stream. */
  row?: number;
  /** The column name. */
  column?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The base class of every error this library throws on purpose.
 *
 * @example
 * ```ts
 * import { ParquetStorageError } from "@parquet-storage/engine";
 * const error = new ParquetStorageError("Cannot export", { table: "borehole" });
 * console.assert(error.message === "Cannot export (table borehole)");
 * ```
 */
export class ParquetStorageError extends Error {
  /** The table (or dataset) concerned, if known. */
  readonly table?: string;
  /** The 1-based row number concerned, if known. */
  readonly row?: number;
  /** The column concerned, if known. */
  readonly column?: string;

  /** Builds an error whose message ends with where it happened. */
  constructor(message: string, context: ErrorContext = {}) {
    super(withContext(message, context), context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.table = context.table;
    this.row = context.row;
    this.column = context.column;
  }
}

/**
 * A row that does not match its table's schema.
 *
 * @example
 * ```ts
 * import { ValidationError } from "@parquet-storage/engine";
 * const error = new ValidationError("expected a number, received \"x\"", {
 *   table: "borehole",
 *   row: 3,
 *   column: "depth",
 * });
 * console.assert(error.reason === "expected a number, received \"x\"");
 * ```
 */
export class ValidationError extends ParquetStorageError {
  /** What was wrong with the value, without the location. */
  readonly reason: string;
  /** Every issue Valibot found in the row, as `column: reason`. */
  readonly issues: readonly string[];

  /** Builds a validation error for one row; `issues` defaults to the single reason. */
  constructor(reason: string, context: ErrorContext & { issues?: readonly string[] } = {}) {
    super(`Invalid row: ${reason}`, context);
    this.reason = reason;
    this.issues = context.issues ?? [reason];
  }
}

/**
 * A table definition or column declaration that cannot be used, or a PostgreSQL type with no mapping.
 *
 * @example
 * ```ts
 * import { SchemaError } from "@parquet-storage/engine";
 * const error = new SchemaError("numeric precision must be 1..38: current value is 0", { column: "depth" });
 * console.assert(error.column === "depth");
 * ```
 */
export class SchemaError extends ParquetStorageError {}

/**
 * A difference between a registered table definition and the live database.
 *
 * @example
 * ```ts
 * import { SchemaDriftError } from "@parquet-storage/engine/postgres";
 * const error = new SchemaDriftError(["borehole.depth: type numeric(8,2) expected, found text"]);
 * console.assert(error.differences.length === 1);
 * ```
 */
export class SchemaDriftError extends ParquetStorageError {
  /** One line per difference. */
  readonly differences: readonly string[];

  /** Builds a drift error listing every difference found. */
  constructor(differences: readonly string[], context: ErrorContext = {}) {
    super(`Schema drift: ${differences.length} difference(s): ${differences.join("; ")}`, context);
    this.differences = differences;
  }
}

/**
 * A failure to write an output: a local file or an S3 object. Nothing is left visible when it is thrown.
 *
 * @example
 * ```ts
 * import { SinkError } from "@parquet-storage/engine/write";
 * const error = new SinkError("Refusing to replace an existing file", { location: "data/a.parquet" });
 * console.assert(error.location === "data/a.parquet");
 * ```
 */
export class SinkError extends ParquetStorageError {
  /** The path or `s3://bucket/key` concerned. */
  readonly location?: string;

  /** Builds a sink error naming the location it concerns. */
  constructor(message: string, context: ErrorContext & { location?: string } = {}) {
    super(context.location ? `${message}: ${context.location}` : message, context);
    this.location = context.location;
  }
}

/**
 * A failure to read back a Parquet file or dataset.
 *
 * @example
 * ```ts
 * import { ReadError } from "@parquet-storage/engine";
 * const error = new ReadError("Unknown column in filter: depht", { column: "depht" });
 * console.assert(error.column === "depht");
 * ```
 */
export class ReadError extends ParquetStorageError {
  /** The file concerned (a path or `s3://` URL), if known. */
  readonly file?: string;
  /** The 0-based row group concerned, if known. */
  readonly rowGroup?: number;

  /** Builds a read error; `file` and `rowGroup` say where a damaged file is damaged. */
  constructor(message: string, context: ErrorContext & { file?: string; rowGroup?: number } = {}) {
    super(message, context);
    this.file = context.file;
    this.rowGroup = context.rowGroup;
  }
}

/**
 * A failure of a source of rows: the PostgreSQL connection lost, a table missing, a query error, or a
 * program's own row stream failing midway.
 *
 * @example
 * ```ts
 * import { SourceError } from "@parquet-storage/engine/postgres";
 * const error = new SourceError("Table does not exist", { table: "boreholes" });
 * console.assert(error.table === "boreholes");
 * ```
 */
export class SourceError extends ParquetStorageError {
  /** Rows read from the source before it failed, where known. */
  readonly rowsRead?: number;

  /** Builds a source error; `rowsRead` counts the rows that came before the failure. */
  constructor(message: string, context: ErrorContext & { rowsRead?: number } = {}) {
    super(message, context);
    this.rowsRead = context.rowsRead;
  }
}

/**
 * A table whose columns changed since its Iceberg table's last snapshot in a way Iceberg cannot evolve
 * by field id: a column whose type changed, or a new column that is NOT NULL. (A new nullable column is
 * added with a new field id; a dropped column is dropped.)
 *
 * @example
 * ```ts
 * import { IcebergSchemaError } from "@parquet-storage/engine/iceberg";
 * const error = new IcebergSchemaError("type changed from int to string", { table: "t", column: "depth" });
 * console.assert(error.column === "depth" && error instanceof Error);
 * ```
 */
export class IcebergSchemaError extends SchemaError {}

/**
 * An Iceberg commit that lost to other writers more times than it retries: each time another writer had
 * written the next metadata version first, and each time the commit was rebuilt on the new version.
 * Nothing of this commit is in the table (its data files stay, unreferenced, for cleanup).
 *
 * @example
 * ```ts
 * import { IcebergCommitConflictError } from "@parquet-storage/engine/iceberg";
 * const error = new IcebergCommitConflictError("v7.metadata.json was written by another writer", {
 *   table: "t",
 *   attempts: 10,
 * });
 * console.assert(error.attempts === 10);
 * ```
 */
export class IcebergCommitConflictError extends ParquetStorageError {
  /** Commit attempts made. */
  readonly attempts: number;

  /** Builds a conflict error after `attempts` tries. */
  constructor(message: string, context: ErrorContext & { attempts: number }) {
    super(`Cannot commit the Iceberg snapshot: ${message} (after ${context.attempts} attempts)`, context);
    this.attempts = context.attempts;
  }
}

/**
 * A metadata file an Iceberg table needs that is not there: no `metadata/v<N>.metadata.json` at all
 * (not an Iceberg table, or the wrong location), or a metadata file, manifest list or manifest that a
 * newer file names but that was deleted.
 *
 * @example
 * ```ts
 * import { IcebergMetadataMissingError } from "@parquet-storage/engine/iceberg";
 * const error = new IcebergMetadataMissingError("no metadata file", { file: "data/t/metadata/v2.metadata.json" });
 * console.assert(error.file === "data/t/metadata/v2.metadata.json");
 * ```
 */
export class IcebergMetadataMissingError extends ReadError {}

function withContext(message: string, { table, row, column }: ErrorContext): string {
  const where = [
    table === undefined ? undefined : `table ${table}`,
    row === undefined ? undefined : `row ${row}`,
    column === undefined ? undefined : `column ${column}`,
  ].filter(Boolean);
  return where.length ? `${message} (${where.join(", ")})` : message;
}
