/** The dataset tests' table of tasks: its rows, its partition keys, DuckDB's view of a dataset, and a storage that counts. */

import { defineTable, int, numeric, type Row, text, timestamptz } from "../../mod.ts";
import type { FileSink, Storage } from "../../write.ts";
import { LocalStorage } from "../../src/storage/local_storage.ts";
import { duckdbRows, sqlString } from "./duckdb.ts";

export const tasks = defineTable("tasks", {
  id: int(),
  project_id: int(),
  status: text().nullable(),
  created_at: timestamptz(),
  amount: numeric(10, 2),
  note: text(),
}, { primaryKey: ["id"] });

export const STATUSES = ["open", "done", "on hold", "a/b=c", null];

/** Rows in canonical form, sorted by id; created_at rises with id over three months of 2026. */
export function taskRows(count: number): Row[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    project_id: 1 + (id * 7) % 5,
    status: STATUSES[Math.floor(id / 7) % STATUSES.length],
    created_at: new Date(Date.UTC(2026, 9, 1) + id * Math.floor(92 * 86_400_000 / count)).toISOString()
      .replace("Z", `${String(id % 1000).padStart(3, "0")}Z`),
    amount: `${id}.${String(id % 100).padStart(2, "0")}`,
    note: `note ${id} 🦆`,
  }));
}

export const PARTITION_BY = ["project_id", "status", "created_at:month"];

/** The rows DuckDB reads from a dataset folder, every value as text (epoch microseconds for timestamps). */
export async function duckdbTasks(dir: string): Promise<Row[]> {
  const rows = await duckdbRows(`
    SELECT id, project_id, status, epoch_us(created_at)::VARCHAR AS created_us, amount::VARCHAR AS amount,
      note, created_at_month
    FROM read_parquet(${
    sqlString(`${dir}/**/*.parquet`)
  }, hive_partitioning = true, hive_types_autocast = false)
    ORDER BY id::INTEGER`);
  return rows.map((row) => ({ ...row, id: Number(row.id), project_id: Number(row.project_id) }));
}

export function expectedInDuckdb(row: Row): Row {
  const at = row.created_at as string;
  return {
    id: row.id,
    project_id: row.project_id,
    status: row.status,
    created_us: String(BigInt(Date.parse(at)) * 1000n + BigInt(at.slice(23, 26))),
    amount: row.amount,
    note: row.note,
    created_at_month: at.slice(0, 7),
  };
}

/** Local storage that counts files opened for reading and sinks open at once. */
export function countingStorage() {
  const inner = new LocalStorage();
  const stats = { opened: [] as string[], sinks: 0, open: 0, maxOpen: 0 };
  const storage: Storage = {
    createSink(location, options): FileSink {
      const sink = inner.createSink(location, options);
      const writer = sink.getWriter();
      stats.sinks++;
      stats.maxOpen = Math.max(stats.maxOpen, ++stats.open);
      let ended = false;
      const end = () => {
        if (!ended) stats.open--;
        ended = true;
      };
      const wrapped = new WritableStream<Uint8Array>({
        write: (chunk) => writer.write(chunk),
        close: () => writer.close().finally(end),
        abort: (reason) => writer.abort(reason).finally(end),
      });
      return Object.defineProperties(wrapped, {
        location: { get: () => sink.location },
        bytesWritten: { get: () => sink.bytesWritten },
      }) as FileSink;
    },
    open(location) {
      stats.opened.push(location);
      return inner.open(location);
    },
    list: (location) => inner.list(location),
    remove: (location) => inner.remove(location),
    join: (...parts) => inner.join(...parts),
  };
  return { storage, stats };
}

export async function* withBadRowAt(position: number, rows: Row[]) {
  for (const [i, row] of rows.entries()) {
    if (i === position) yield { ...row, amount: "not a number" };
    else yield row;
    await Promise.resolve();
  }
}
