// This module is browser compatible.

/**
 * Validate and encode as one stage: what `sourceStream` → `ValidateStream` → `EncodeStream` do, with
 * no stream between them. Each row is read from its source, checked by the kinds' fast checks (Valibot
 * where a column has checks of its own, or where a row may be bad, for its issues) and its values
 * written straight into the row group's column buffers: no row object made, no promise per stage.
 * A row is validated once, and bytes leave as each row group completes.
 *
 * @module
 */

import * as v from "valibot";
import type { EncodeOptions } from "../parquet/parquet_writer.ts";
import type { Row, TableDefinition } from "../schema/table.ts";
import type { ProgressCounter } from "./progress.ts";
import { RowEncoder } from "./row_encoder.ts";
import { rowReader, type RowSource } from "./source_stream.ts";
import { checkedOnInvalid, RowCheck, type ValidateOptions, validationError } from "./validate_stream.ts";

/** Options of {@link encodedRows}. */
export interface EncodedRowsOptions extends ValidateOptions, EncodeOptions {
  /** Validate rows first. Default `true`; off only for rows already validated. */
  validate?: boolean;
  /** Counts the rows as they are encoded. */
  progress?: ProgressCounter;
}

/** What {@link encodedRows} has done so far. */
export interface EncodedRowsCounts {
  /** Rows encoded. */
  rows: number;
  /** Rows dropped by validation (`onInvalid: "skip"` or a callback). */
  skipped: number;
}

/**
 * The Parquet file of `rows` (one `table`'s), as a stream of its bytes; `counts` tells the rows
 * encoded and skipped. The options are checked here, before any row is read.
 *
 * @example
 * ```ts
 * import { defineTable, int } from "@parquet-storage/engine";
 * import { encodedRows } from "./encoded_rows.ts";
 * const table = defineTable("t", { id: int() });
 * const { stream, counts } = encodedRows([{ id: 1 }, { id: "x" }], table, { onInvalid: "skip" });
 * const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
 * console.assert(counts.rows === 1 && counts.skipped === 1 && bytes.length > 8);
 * ```
 */
export function encodedRows(
  rows: RowSource,
  table: TableDefinition,
  options: EncodedRowsOptions = {},
): { stream: ReadableStream<Uint8Array>; counts: EncodedRowsCounts } {
  const { validate = true, progress } = options;
  const encoder = new RowEncoder(table, options, "EncodeStream");
  const onInvalid = validate ? checkedOnInvalid(table, options, "ValidateStream") : "throw";
  const allowExtra = options.allowExtraColumns ?? false;
  // Erroring on the first bad row, a row group half written by a refused row is never used: the
  // writers of the kinds that refuse what their schema refuses check those columns as they write them
  // (Valibot then runs on a refused row for its issues), so the row's values are parsed once.
  const byWriter = onInvalid === "throw" ? writerChecked : undefined;
  const check = validate ? new RowCheck(table, allowExtra, byWriter) : undefined;
  const schema = allowExtra ? table.loose : table;
  const counts: EncodedRowsCounts = { rows: 0, skipped: 0 };
  let position = 0;
  let emitted = false;

  /** Takes one row; a promise only when an `onInvalid` callback is called. */
  const take = (value: unknown): void | Promise<void> => {
    position++;
    if (!check) encoder.add(value as Row, position);
    else if (check.check(value)) {
      if (!byWriter) encoder.addValues(check.values, position);
      else {
        try {
          encoder.addValues(check.values, position);
        } catch (error) {
          const result = v.safeParse(schema, value);
          throw result.success ? error : validationError(table.name, position, result.issues);
        }
      }
    } else {
      // Refused, or not certainly valid: Valibot decides, and says why.
      const result = v.safeParse(schema, value);
      if (result.success) encoder.add(result.output as Row, position);
      else {
        const error = validationError(table.name, position, result.issues);
        if (onInvalid === "throw") throw error;
        counts.skipped++;
        if (typeof onInvalid === "function") {
          return Promise.resolve(onInvalid({ table: table.name, row: position, value, error })).then(
            () => {},
          );
        }
        return;
      }
    }
    counts.rows++;
    if (progress) progress.rows++;
  };

  const reader = rowReader(rows, table.name);

  let opened: Promise<void> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      opened = encoder.open((bytes) => {
        emitted = true;
        controller.enqueue(bytes);
      });
      return opened;
    },
    // Rows until a row group's bytes are out (or the end): one pull per row group, not per row.
    async pull(controller) {
      // workerd has been seen to pull before the promise start returned had settled.
      await opened;
      emitted = false;
      try {
        while (!emitted) {
          let next = reader.next();
          if (next instanceof Promise) next = await next;
          if (next.done) {
            encoder.finish();
            controller.close();
            return;
          }
          const taken = take(next.value);
          if (taken) await taken;
        }
      } catch (error) {
        // As a pipe would: the source stops too (a cursor is closed).
        await reader.cancel(error).catch(() => {});
        throw error;
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { stream, counts };
}

/**
 * The kinds whose row writer refuses exactly the values their column's schema refuses, read side by side
 * (`numeric` with a precision only): their writer is their check when a bad row ends the write.
 */
const WRITER_CHECKED = new Set([
  "uuid",
  "text",
  "int",
  "float",
  "boolean",
  "timestamp",
  "timestamptz",
  "jsonb",
]);

function writerChecked(column: TableDefinition["columns"][string]): boolean {
  const { spec } = column;
  return WRITER_CHECKED.has(spec.kind) || (spec.kind === "numeric" && spec.precision !== undefined);
}
