/**
 * What the export prints while it runs and when it ends: a live line per table on a terminal (rows,
 * rows/s, bytes), a plain line now and then elsewhere, and a final table on stderr.
 *
 * @module
 */

import type { ExportSummary, TableProgress } from "../export/export_options.ts";

const encoder = new TextEncoder();

/** Milliseconds between a table's plain progress lines where stderr is not a terminal (a CI log). */
export const PLAIN_PROGRESS_INTERVAL_MS = 10_000;

/** Where {@link progressPrinter} writes, and its clock: stderr and `performance.now()` by default. */
export interface ProgressOutput {
  write(text: string): void;
  now(): number;
}

const STDERR: ProgressOutput = {
  write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
  now: () => performance.now(),
};

/**
 * A progress callback: on a terminal it redraws one live line per table as reports come (four times a
 * second); elsewhere (a CI log, a file) it writes a plain line for a table being written every
 * {@link PLAIN_PROGRESS_INTERVAL_MS}, none for a table done sooner (the final table has it).
 */
export function progressPrinter(
  terminal: boolean,
  output: ProgressOutput = STDERR,
): (progress: TableProgress) => void {
  if (terminal) {
    return (progress) => output.write(`\r\x1b[2K${progressLine(progress)}${progress.done ? "\n" : ""}`);
  }
  // Per table: tables of a run with --jobs report in turns.
  const lastLine = new Map<string, number>();
  return (progress) => {
    const now = output.now();
    if (!lastLine.has(progress.table)) lastLine.set(progress.table, now);
    if (progress.done || now - lastLine.get(progress.table)! < PLAIN_PROGRESS_INTERVAL_MS) return;
    lastLine.set(progress.table, now);
    output.write(`${progressLine(progress)}\n`);
  };
}

/** The live line of a table: rows, rows/s and, once any has reached the sink, bytes written. */
export function progressLine(progress: TableProgress): string {
  const rate = progress.seconds > 0 ? Math.round(progress.rows / progress.seconds) : 0;
  const bytes = progress.bytes ? `, ${formatBytes(progress.bytes)}` : "";
  return `${progress.table}: ${progress.rows.toLocaleString("en")} rows, ${
    rate.toLocaleString("en")
  } rows/s${bytes}`;
}

/** The final summary: one row per table, and the batch. */
export function summaryTable(summary: ExportSummary): string {
  const header = ["table", "mode", "rows", "files", "bytes", "seconds"];
  const rows = summary.tables.map((t) => [
    t.table + (t.note ? ` (${t.note})` : ""),
    t.mode,
    t.rows.toLocaleString("en"),
    String(t.files),
    formatBytes(t.bytes),
    t.seconds.toFixed(2),
  ]);
  const total = summary.tables.reduce(
    (sum, t) => ({ rows: sum.rows + t.rows, files: sum.files + t.files, bytes: sum.bytes + t.bytes }),
    { rows: 0, files: 0, bytes: 0 },
  );
  rows.push([
    "total",
    "",
    total.rows.toLocaleString("en"),
    // Files, not tables: a partitioned table writes one file per partition.
    String(total.files),
    formatBytes(total.bytes),
    summary.tables.reduce((s, t) => s + t.seconds, 0).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === 0 || i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
  return [
    line(header),
    ...rows.map(line),
    ...(summary.skipped ?? []).map((r) => `skipped ${r.name}: ${r.reason}`),
    ...(summary.asText ?? []).map((c) =>
      `as text (--unmapped-as-text): ${c.table}.${c.column}, of type ${c.pgType} with no mapping`
    ),
    ...(summary.iceberg
      ? summary.iceberg.map((c) =>
        `${c.table}: Iceberg snapshot ${c.snapshotId} (${c.operation}, sequence ${c.sequenceNumber}) committed as ${c.location}/metadata/v${c.version}.metadata.json`
      )
      : [`batch ${summary.batch} committed to ${summary.out}/_manifests/ (snapshot ${summary.snapshot})`]),
  ].join("\n");
}

/** Bytes in a human unit. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
