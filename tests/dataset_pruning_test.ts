/** Partitioned datasets: filters open only the files and row groups that can match. */

import assert from "node:assert/strict";
import { readDataset, type Row, writeDataset } from "../mod.ts";
import { partitionPruner } from "../src/read/partition_filter.ts";
import { parsePartitionBy } from "../src/schema/partition_key.ts";
import { tempDir } from "./helpers/files.ts";
import { countingStorage, PARTITION_BY, taskRows, tasks } from "./helpers/tasks.ts";

Deno.test("a filter on partition columns opens only the matching files", async () => {
  const dir = await tempDir();
  const rows = taskRows(1000);
  const { files } = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: PARTITION_BY,
    maxOpenPartitions: 75,
  });
  // $ne does not match NULL, as in SQL: the NULL partition is pruned too.
  const matching = files.filter((f) =>
    f.values.project_id === "3" && f.values.status !== "done" && f.values.status !== null
  );
  const filters = { project_id: 3, status: { $ne: "done" } };
  const expected = rows.filter((r) => r.project_id === 3 && r.status !== "done" && r.status !== null);

  // With the table and keys given, nothing else is opened at all.
  const { storage, stats } = countingStorage();
  const seen: { location: string; skipped: boolean }[] = [];
  const back = await readDataset(dir, {
    filters,
    table: tasks,
    partitionBy: PARTITION_BY,
    storage,
    onFile: (info) => void seen.push(info),
  });
  assert.deepEqual(
    back.map((r) => r.id).sort((a, b) => (a as number) - (b as number)),
    expected.map((r) => r.id),
  );
  assert.equal(seen.length, files.length);
  assert.deepEqual(stats.opened.sort(), matching.map((f) => f.location).sort());
  assert.deepEqual(seen.filter((s) => !s.skipped).map((s) => s.location).sort(), stats.opened);

  // Learning the table from the files costs at most one more footer.
  const probing = countingStorage();
  const again = await readDataset(dir, { filters, storage: probing.storage });
  assert.equal(again.length, expected.length);
  assert.ok(
    probing.stats.opened.length <= matching.length + 1,
    `${probing.stats.opened.length} files opened`,
  );

  // Files read but holding no matching row give nothing (and do not stall the stream).
  assert.deepEqual(await readDataset(dir, { filters: { project_id: 3, note: "no such note" } }), []);

  // An $or mixing a partition column and a file column prunes only what it can.
  const mixed = await readDataset(dir, { filters: { $or: [{ project_id: 3 }, { id: { $lt: 5 } }] } });
  assert.equal(mixed.length, rows.filter((r) => r.project_id === 3 || (r.id as number) < 5).length);
});

Deno.test("a time key prunes by its source column, and a range on a sorted column skips row groups", async () => {
  const dir = await tempDir();
  const rows = taskRows(3000);
  const { files } = await writeDataset(dir, rows, {
    table: tasks,
    partitionBy: ["created_at:month"],
    rowGroupSize: 50,
  });
  assert.deepEqual(files.map((f) => f.partition), [
    "created_at_month=2026-10",
    "created_at_month=2026-11",
    "created_at_month=2026-12",
  ]);
  const read: string[] = [];
  const groups = { read: 0, skipped: 0 };
  const from = "2026-11-10T00:00:00Z";
  const until = "2026-11-12T00:00:00Z";
  const back = await readDataset(dir, {
    filters: { created_at: { $gte: from, $lt: until } },
    onFile: ({ location, skipped }) => skipped || read.push(location),
    onRowGroup: ({ skipped }) => groups[skipped ? "skipped" : "read"]++,
  });
  const expected = rows.filter((r) => (r.created_at as string) >= from && (r.created_at as string) < until);
  assert.ok(expected.length > 0);
  assert.deepEqual(back.map((r) => r.id), expected.map((r) => r.id));
  assert.deepEqual(read, [files[1].location], "only November is opened");
  assert.equal(groups.read + groups.skipped, Math.ceil(files[1].rows / 50));
  assert.ok(groups.read <= 3 && groups.skipped >= 15, JSON.stringify(groups));
  // A $lt at a period's first instant does not open that period.
  const opened: string[] = [];
  const october = await readDataset(dir, {
    filters: { created_at: { $lt: "2026-11-01" } },
    onFile: ({ location, skipped }) => skipped || opened.push(location),
  });
  assert.equal(october.length, files[0].rows);
  assert.deepEqual(opened, [files[0].location], "November is not opened");
  // The derived key is a filter too, and can be asked for as a column.
  const december = await readDataset(dir, {
    filters: { created_at_month: "2026-12" },
    columns: ["id", "created_at_month"],
  });
  assert.equal(december.length, files[2].rows);
  assert.deepEqual(december[0], { id: december[0].id, created_at_month: "2026-12" });
});

Deno.test("pruning is exact on partition columns and conservative on time keys' sources", () => {
  const keys = parsePartitionBy(tasks, ["project_id", "status", "created_at:month"]);
  const verdict = (filter: Record<string, unknown>, partition: Row) =>
    partitionPruner(filter, tasks, keys)(partition);
  const nov = { project_id: 3, status: "open", created_at_month: "2026-11" };
  const nullStatus = { ...nov, status: null };
  assert.equal(verdict({ project_id: 3 }, nov), true);
  assert.equal(verdict({ project_id: { $gt: 3 } }, nov), false);
  assert.equal(verdict({ project_id: { $in: [1, 3] }, status: { $nin: ["done"] } }, nov), true);
  assert.equal(verdict({ status: { $ne: "done" } }, nullStatus), false, "NULL matches no comparison");
  assert.equal(verdict({ status: null }, nullStatus), true);
  assert.equal(verdict({ status: { $in: [null] } }, nov), false);
  assert.equal(verdict({ $or: [{ project_id: 1 }, { status: "open" }] }, nov), true);
  assert.equal(verdict({ $or: [{ project_id: 1 }, { status: "done" }] }, nov), false);
  assert.deepEqual(verdict({ $or: [{ project_id: 1 }, { id: 5 }] }, nov), { id: { $eq: 5 } });
  assert.deepEqual(verdict({ project_id: 3, amount: { $gt: 2 } }, nov), { amount: { $gt: "2.00" } });
  // Time keys: a period is ruled out only when none of its instants can match.
  const at = (filter: unknown) => verdict({ created_at: filter }, nov);
  assert.equal(at({ $gte: "2026-12-01T00:00:00Z" }), false);
  assert.equal(at({ $lt: "2026-11-01 00:00:00+00" }), false, "the period's first instant is not below it");
  assert.equal(at({ $lt: "2026-11-01" }), false);
  assert.notEqual(at({ $lt: "2026-11-01T00:00:00.000001Z" }), false);
  assert.notEqual(at({ $lt: "2026-11-02T00:00:00Z" }), false);
  assert.notEqual(at({ $lte: "2026-11-01T00:00:00Z" }), false, "$lte keeps the boundary's period");
  assert.equal(at({ $lt: "2026-10-31T23:59:59Z" }), false);
  assert.equal(at({ $lte: "2026-11-01 01:00:00+02" }), false, "in UTC that is 2026-10-31T23:00Z, October");
  assert.equal(at({ $lte: "2026-11-01 03:00:00+02" }) !== false, true);
  assert.equal(at("2026-12-01T00:00:00Z"), false);
  assert.equal(at({ $in: ["2026-10-05T00:00:00Z", "2026-12-05T00:00:00Z"] }), false);
  assert.notEqual(at({ $in: ["2026-11-05T00:00:00Z"] }), false);
  assert.equal(verdict({ created_at_month: { $gte: "2026-12" } }, nov), false);
  assert.throws(() => verdict({ project: 1 }, nov), /Unknown column in filter: "project"/);
});
