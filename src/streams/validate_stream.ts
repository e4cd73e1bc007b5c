import { fastCheck, REFUSED, SPECIAL_VALUES_HINT } from "../schema/kinds/kind.ts";
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
    const fast = fastRowCheck(table, allowExtraColumns);
    const counts = { valid: 0, skipped: 0 };
    let position = 0;
    super({
      // Not async: a valid row (the common case) costs no promise.
      transform(value, controller) {
        position++;
        const row = fast(value);
        if (row) {
          counts.valid++;
          controller.enqueue(row);
          return;
        }
        // Refused, or not certainly valid: Valibot decides, and says why.
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
          return Promise.resolve(onInvalid({ table: table.name, row: position, value, error })).then(
            () => {},
          );
        }
      },
    });
    this.#counts = counts;
  }
}

/**
 * The table's schema as one pass over the columns, each checked and canonicalised by its kind's fast
 * check (Valibot for a column with checks of its own). Gives the row Valibot would output, or
 * undefined where Valibot might refuse it (and is then run for its issues): so the common, valid row
 * costs no Valibot at all, and a bad one gets Valibot's words.
 */
function fastRowCheck(table: TableDefinition, allowExtra: boolean): (value: unknown) => Row | undefined {
  const columns = Object.entries(table.columns).map(([name, column]) => ({
    name,
    nullable: column.spec.nullable,
    check: fastCheck(column.schema) ?? valibotCheck(column.schema),
  }));
  const names = new Set(columns.map((c) => c.name));
  const results: unknown[] = new Array(columns.length);
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    const input = value as Record<string, unknown>;
    // Whether the input is already the output (every value canonical, nothing missing or extra):
    // then it goes on as it is, and no object is made per row.
    let same = Object.getPrototypeOf(input) === Object.prototype;
    for (let i = 0; i < columns.length; i++) {
      const { name, nullable, check } = columns[i];
      const item = input[name];
      if (item === null || item === undefined) {
        if (!nullable) return undefined;
        if (item === undefined) same = false;
        results[i] = null;
        continue;
      }
      const result = check(item);
      if (typeof result === "object" && result !== null && "reason" in result) return undefined;
      if (result !== item) same = false;
      results[i] = result;
    }
    for (const key in input) {
      if (names.has(key)) continue;
      if (!allowExtra) return undefined;
      same = false;
      break;
    }
    if (same) return input;
    const row: Row = {};
    for (let i = 0; i < columns.length; i++) row[columns[i].name] = results[i];
    return row;
  };
}

function valibotCheck(schema: v.GenericSchema): (value: unknown) => unknown {
  return (value) => {
    const result = v.safeParse(schema, value);
    return result.success ? result.output : REFUSED;
  };
}

const SPECIAL = /^(?:NaN|-?Infinity|-?infinity)$/;

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
    // PostgreSQL's NaN and infinities, refused by a column's type: say how to export them anyway.
    const special = typeof issue.input === "string" && SPECIAL.test(issue.input)
      ? `; ${SPECIAL_VALUES_HINT}`
      : "";
    const message = issue.type !== "strict_object" || column === undefined
      ? issue.message + special
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
