// This module is browser compatible.

/**
 * The validate stage: each row checked against its table's Valibot schema before anything is written.
 *
 * @module
 */

import * as v from "valibot";
import { ParquetStorageError, ValidationError } from "../errors.ts";
import type { Row, TableDefinition } from "../schema/table.ts";

/** A row that failed validation, as handed to an `onInvalid` callback. */
export interface InvalidRow {
  /** The table name. */
  table: string;
  /** The 1-based position of the row in the stream. */
  row: number;
  /** The row as received. */
  value: unknown;
  /** What was wrong, with the first failing column. */
  error: ValidationError;
}

/** Options of {@link ValidateStream}. */
export interface ValidateOptions {
  /**
   * What to do with a bad row: `"throw"` (default) errors the stream with a {@link ValidationError};
   * `"skip"` drops it and counts it; a function is called with the row and its issues, then the row is
   * dropped (throw from it to stop the stream).
   */
  onInvalid?: "throw" | "skip" | ((invalid: InvalidRow) => void | Promise<void>);
  /** Drop columns the table does not have instead of refusing the row. Default `false`. */
  allowExtraColumns?: boolean;
}

/**
 * Validates and canonicalises rows against a table definition: wrong types, missing columns, nulls in
 * non-null columns and (unless allowed) unknown columns are caught here, naming table, row and column.
 *
 * @example
 * ```ts
 * import { defineTable, int, ValidateStream, ValidationError } from "@parquet-storage/engine";
 * const table = defineTable("t", { id: int() });
 * const rows = ReadableStream.from([{ id: 1 }, { id: "two" }]).pipeThrough(new ValidateStream(table));
 * try {
 *   await Array.fromAsync(rows);
 * } catch (error) {
 *   console.assert(error instanceof ValidationError && error.row === 2 && error.column === "id");
 * }
 * ```
 */
export class ValidateStream extends TransformStream<unknown, Row> {
  /** Rows that passed. */
  get valid(): number {
    return this.#counts.valid;
  }
  /** Rows dropped by `"skip"` or a callback. */
  get skipped(): number {
    return this.#counts.skipped;
  }

  #counts: { valid: number; skipped: number };

  /** Builds a validator for `table`. */
  constructor(table: TableDefinition, options: ValidateOptions = {}) {
    const { onInvalid = "throw", allowExtraColumns = false } = options;
    if (onInvalid !== "throw" && onInvalid !== "skip" && typeof onInvalid !== "function") {
      throw new ParquetStorageError(
        `Cannot construct ValidateStream as onInvalid must be "throw", "skip" or a function: current value is ${
          String(onInvalid)
        }`,
        { table: table.name },
      );
    }
    const schema = allowExtraColumns ? table.loose : table;
    const counts = { valid: 0, skipped: 0 };
    let position = 0;
    super({
      async transform(value, controller) {
        position++;
        const result = v.safeParse(schema, value);
        if (result.success) {
          counts.valid++;
          controller.enqueue(result.output as Row);
          return;
        }
        const error = validationError(table.name, position, result.issues);
        if (onInvalid === "throw") throw error;
        counts.skipped++;
        if (typeof onInvalid === "function") {
          await onInvalid({ table: table.name, row: position, value, error });
        }
      },
    });
    this.#counts = counts;
  }
}

/** Turns Valibot issues into one error naming the first failing column, listing all issues. */
export function validationError(
  table: string,
  row: number,
  issues: readonly v.BaseIssue<unknown>[],
): ValidationError {
  const described = issues.map((issue) => {
    const column = issue.path?.[0]?.key;
    // A strict object reports both a key it does not know and a key it misses as "strict_object":
    // only the expected "never" says the key is extra.
    const message = issue.type !== "strict_object" || column === undefined
      ? issue.message
      : issue.expected === "never"
      ? `unknown column ${JSON.stringify(column)} (the table has no such column)`
      : `missing column ${JSON.stringify(column)} (the row lacks it)`;
    return { column: column === undefined ? undefined : String(column), message };
  });
  const [first] = described;
  return new ValidationError(first.message, {
    table,
    row,
    column: first.column,
    issues: described.map(({ column, message }) => column === undefined ? message : `${column}: ${message}`),
  });
}
