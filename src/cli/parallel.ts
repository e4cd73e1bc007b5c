/**
 * The export's parallel modes on the command line: `--leader` (holds the snapshot for shards in other
 * processes), `--shard i/N` (one of them) and `--commit BATCH` (commits once every shard is done).
 *
 * @module
 */

import { fstatSync } from "node:fs";
import { normalizeRoot } from "../read/manifest.ts";
import { isCommitted } from "../export/batch_parts.ts";
import { commitShards, exportShard, openShardLeader } from "../export/parallel_export.ts";
import { storageFor } from "../storage/open_location.ts";
import type { Sql } from "../postgres/connect.ts";
import type { ExportOptions } from "../export/export_options.ts";
import type { ExportSettings } from "./args.ts";
import { summaryTable } from "./progress.ts";

/** How often the leader looks for the batch's manifest. */
const COMMIT_POLL_MS = 2000;

/**
 * `--leader`: opens the snapshot, writes the plan, prints `snapshot=ID batch=ID` on stdout, and holds
 * the snapshot until the batch is committed (`--commit`), stdin closes (when it is a pipe or a terminal)
 * or SIGINT/SIGTERM comes. Returns the exit code.
 */
export async function runLeader(sql: Sql, settings: ExportSettings, options: ExportOptions): Promise<number> {
  const leader = await openShardLeader(sql, { ...options, parts: settings.parallel.jobs });
  const { plan } = leader;
  const ranges = plan.units.filter((u) => u.blocks).length;
  console.error(
    `Holding snapshot ${plan.snapshot} for batch ${plan.batch}: ${plan.tables.length} tables in ` +
      `${plan.units.length} units (${ranges} block ranges). Run the shards with --snapshot ${plan.snapshot} ` +
      `--batch ${plan.batch}, then --commit ${plan.batch}; held until committed, stdin closes, or SIGINT/SIGTERM.`,
  );
  console.log(`snapshot=${plan.snapshot} batch=${plan.batch}`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, onSignal);
  // Stdin counts only when it can be closed (a pipe, a terminal): under a scheduler it is often
  // /dev/null, which would release the snapshot at once.
  const stdinIsPipe = (() => {
    try {
      return fstatSync(0).isFIFO();
    } catch {
      return false;
    }
  })();
  const waits: Promise<unknown>[] = [
    new Promise((resolve) => stop.signal.addEventListener("abort", resolve)),
  ];
  if (Deno.stdin.isTerminal() || stdinIsPipe) {
    waits.push(Deno.stdin.readable.pipeTo(new WritableStream()).catch(() => {}));
  }
  const root = normalizeRoot(settings.out);
  const storage = await storageFor(root, { s3: options.s3 });
  waits.push((async () => {
    while (!stop.signal.aborted && !(await isCommitted(storage, root, plan.batch))) {
      await new Promise((resolve) => setTimeout(resolve, COMMIT_POLL_MS));
    }
  })());
  try {
    await Promise.race(waits);
  } finally {
    stop.abort();
    for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(signal, onSignal);
    await leader.release();
  }
  console.error(`Released snapshot ${plan.snapshot}.`);
  return 0;
}

/** `--shard i/N --snapshot ID --batch ID`: exports the shard and writes its part. */
export async function runShard(sql: Sql, settings: ExportSettings, options: ExportOptions): Promise<number> {
  const { shard, snapshot, batch } = settings.parallel;
  const summary = await exportShard(sql, { ...options, shard: shard!, snapshot: snapshot!, batch: batch! });
  const rows = summary.tables.reduce((sum, t) => sum + t.rows, 0);
  console.error(
    `shard ${shard!.index}/${shard!.count} of batch ${batch}: ${summary.tables.length} units, ${rows} rows ` +
      `written; the batch is committed by --commit ${batch} once every shard is done`,
  );
  if (settings.json) console.log(JSON.stringify(summary));
  return 0;
}

/** `--commit BATCH`: checks every shard's part and writes the batch manifest. */
export async function runCommit(
  settings: ExportSettings,
  options: Pick<ExportOptions, "s3">,
): Promise<number> {
  const summary = await commitShards(settings.out, settings.parallel.commit!, options);
  console.error(summaryTable(summary));
  if (settings.json) console.log(JSON.stringify(summary));
  return 0;
}
