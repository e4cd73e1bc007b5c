// This module is browser compatible.

/**
 * The validate stage: each row checked against its table's Valibot schema before anything is written.
 *
 * @module
 */

import * as v from "valibot";
import { ParquetStorageError, ValidationError } from "../errors.ts";
import { fastCheck, REFUSED, same, SPECIAL_VALUES_HINT } from "../schema/kinds/kind.ts";
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
    const onInvalid = checkedOnInvalid(table, options, "ValidateStream");
    const { allowExtraColumns = false } = options;
    const schema = allowExtraColumns ? table.loose : table;
    const fast = new RowCheck(table, allowExtraColumns);
    const counts = { valid: 0, skipped: 0 };
    let position = 0;
    super({
      // Not async: a valid row (the common case) costs no promise.
      transform(value, controller) {
        position++;
        if (fast.check(value)) {
          counts.valid++;
          controller.enqueue(fast.row(value));
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
 * check (Valibot for a column with checks of its own). `check` tells whether a row is certainly one
 * Valibot would accept, leaving its canonical values in `values` (table column order, null for NULL)
 * and whether the input is that row already in `same`; where Valibot might refuse it, Valibot is run
 * for its issues. So the common, valid row costs no Valibot at all, and a bad one gets Valibot's words.
 */
export class RowCheck {
  /** The canonical values of the row checked last, in table column order. */
  readonly values: unknown[];
  /** Whether the row checked last is already its canonical form (every value, nothing missing or extra). */
  same = false;
  /** The table's column names, in order. */
  readonly names: string[];
  readonly #columns: { name: string; nullable: boolean; check: (value: unknown) => unknown }[];
  readonly #known: Set<string>;
  readonly #allowExtra: boolean;

  /**
   * The check of `table`'s rows; `allowExtra` lets columns the table lacks pass (dropped). A column for
   * which `byWriter` says so is passed through unchecked, its value as given: for a caller whose row
   * writers refuse exactly what the column's schema refuses, and who runs Valibot when one does.
   */
  constructor(
    table: TableDefinition,
    allowExtra: boolean,
    byWriter: (column: TableDefinition["columns"][string]) => boolean = () => false,
  ) {
    this.#columns = Object.entries(table.columns).map(([name, column]) => {
      const fast = fastCheck(column.schema);
      return {
        name,
        nullable: column.spec.nullable,
        check: fast && byWriter(column) ? same : fast ?? valibotCheck(column.schema),
      };
    });
    this.names = this.#columns.map((c) => c.name);
    this.#known = new Set(this.names);
    this.#allowExtra = allowExtra;
    this.values = new Array(this.#columns.length);
  }

  /** Whether `value` is certainly a valid row; if so, `values` and `same` describe it. */
  check(value: unknown): boolean {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    const input = value as Record<string, unknown>;
    const columns = this.#columns, results = this.values;
    // Whether the input is already the output: then it goes on as it is, and no object is made per row.
    let same = Object.getPrototypeOf(input) === Object.prototype;
    for (let i = 0; i < columns.length; i++) {
      const { name, nullable, check } = columns[i];
      const item = input[name];
      if (item === null || item === undefined) {
        if (!nullable) return false;
        if (item === undefined) same = false;
        results[i] = null;
        continue;
      }
      const result = check(item);
      if (typeof result === "object" && result !== null && "reason" in result) return false;
      if (result !== item) same = false;
      results[i] = result;
    }
    for (const key in input) {
      if (this.#known.has(key)) continue;
      if (!this.#allowExtra) return false;
      same = false;
      break;
    }
    this.same = same;
    return true;
  }

  /** The row checked last, as an object (the input itself when it is `same`). */
  row(input: unknown): Row {
    if (this.same) return input as Row;
    const row: Row = {};
    for (let i = 0; i < this.names.length; i++) row[this.names[i]] = this.values[i];
    return row;
  }
}

/** The `onInvalid` option, checked (naming `who` and the value seen), its default applied. */
export function checkedOnInvalid(
  table: TableDefinition,
  options: ValidateOptions,
  who: string,
): NonNullable<ValidateOptions["onInvalid"]> {
  const { onInvalid = "throw" } = options;
  if (onInvalid !== "throw" && onInvalid !== "skip" && typeof onInvalid !== "function") {
    throw new ParquetStorageError(
      `Cannot construct ${who} as onInvalid must be "throw", "skip" or a function: current value is ${
        String(onInvalid)
      }`,
      { table: table.name },
    );
  }
  return onInvalid;
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
