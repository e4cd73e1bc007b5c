/**
 * The export's parallel modes on the command line: `--leader` (holds the snapshot for shards in other
 * processes), `--shard i/N` (one of them) and `--commit BATCH` (commits once every shard is done).
 *
 * @module
 */

import { commitShards, exportShard, openShardLeader } from "../export/parallel_export.ts";
import type { Sql } from "../postgres/connect.ts";
import type { ExportOptions } from "../postgres/export_tables.ts";
import type { ExportSettings } from "./args.ts";
import { summaryTable } from "./progress.ts";

/**
 * `--leader`: opens the snapshot, writes the plan, prints `snapshot=ID batch=ID` on stdout, and holds
 * the snapshot until stdin closes (or SIGINT/SIGTERM). Returns the exit code.
 */
export async function runLeader(sql: Sql, settings: ExportSettings, options: ExportOptions): Promise<number> {
  const leader = await openShardLeader(sql, { ...options, parts: settings.parallel.jobs });
  const { plan } = leader;
  const ranges = plan.units.filter((u) => u.blocks).length;
  console.error(
    `Holding snapshot ${plan.snapshot} for batch ${plan.batch}: ${plan.tables.length} tables in ` +
      `${plan.units.length} units (${ranges} block ranges). Run the shards with --snapshot ${plan.snapshot} ` +
      `--batch ${plan.batch}, then --commit ${plan.batch}; close stdin to release the snapshot.`,
  );
  console.log(`snapshot=${plan.snapshot} batch=${plan.batch}`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, onSignal);
  try {
    await Promise.race([
      Deno.stdin.readable.pipeTo(new WritableStream()).catch(() => {}),
      new Promise((resolve) => stop.signal.addEventListener("abort", resolve)),
    ]);
  } finally {
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
