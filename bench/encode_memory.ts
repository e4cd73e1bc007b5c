/**
 * Peak memory of the streaming core against row count: N generated rows → validate → encode → local
 * file, in a child process per N, reporting peak RSS (VmHWM). The claim shown: memory is bounded by one
 * row group, so it does not grow with the row count.
 *
 * Usage: deno run -A bench/encode_memory.ts [--rows 100000,1000000] [--row-group-size 100000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { defineTable, float, int, jsonb, numeric, text, timestamptz, uuid, writeParquet } from "../mod.ts";

const table = defineTable("memory_probe", {
  id: uuid(),
  n: int(),
  depth: numeric(8, 2),
  label: text(),
  value: float(),
  extra: jsonb().nullable(),
  at: timestamptz(),
});

async function* rows(count: number) {
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < count; i++) {
    yield {
      id: crypto.randomUUID(),
      n: i,
      depth: ((i % 100_000) / 100).toFixed(2),
      label: `layer ${i % 1000} — clay, silty, firm`,
      value: i / 3,
      extra: i % 10 ? null : { i },
      at: new Date(base + i * 1000),
    };
  }
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "100000,1000000" },
    "row-group-size": { type: "string", default: "100000" },
    child: { type: "string" },
  },
});

if (values.child) {
  const dir = await Deno.makeTempDir();
  const started = performance.now();
  const result = await writeParquet(dir, rows(Number(values.child)), {
    table,
    rowGroupSize: Number(values["row-group-size"]),
  });
  const status = await Deno.readTextFile("/proc/self/status");
  const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
  console.log(
    JSON.stringify({
      rows: result.rows,
      bytes: result.bytes,
      seconds: (performance.now() - started) / 1000,
      peakMiB: peakKiB / 1024,
    }),
  );
  await Deno.remove(dir, { recursive: true });
} else {
  console.log("rows\tseconds\tfile MiB\tpeak RSS MiB");
  const results = [];
  for (const count of values.rows.split(",").map(Number)) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        import.meta.filename!,
        "--child",
        String(count),
        "--row-group-size",
        values["row-group-size"],
      ],
      stderr: "inherit",
    }).output();
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    results.push(r);
    console.log(
      `${r.rows}\t${r.seconds.toFixed(1)}\t${(r.bytes / 2 ** 20).toFixed(1)}\t${r.peakMiB.toFixed(0)}`,
    );
  }
  const [first, last] = [results[0], results.at(-1)];
  console.log(
    `peak memory ratio ${last.rows} ÷ ${first.rows} rows: ${(last.peakMiB / first.peakMiB).toFixed(2)}`,
  );
}
