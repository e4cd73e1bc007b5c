import { memoryPath } from "./memory_rows.ts";
/**
 * `deno task bench`: PostgreSQL → local Parquet, ours against PostgreSQL's own COPY (the physical limit
 * of any export), the straightforward postgres.js + hyparquet-writer path, and psql + DuckDB, all in
 * one run on the same tables. Each path runs in a child process of its own, under `/usr/bin/time`, so
 * its wall time and peak RSS are its own; the medians of `--rounds` runs are reported as ratios, rows/s,
 * peak memory and file size, and written to `bench/results/latest.json`.
 *
 * Usage: deno task bench [--rows 1000000[,5000000]] [--rounds 3] [--paths copy-binary,ours-rows,…]
 *   [--codecs snappy,zstd] [--table log,wide,shapes]
 *
 * Besides whole tables: `shapes` (a `text[]` and an `int[]` with NULL elements and a geography point,
 * exported by the CLI), and on the log table `ours-cli-rows` (`--no-binary-copy`),
 * `ours-cli-partitioned` (`--partition-by logged_at:month` on the log with a year of `logged_at`: 12
 * partitions) and `ours-cli-incremental` (an incremental export after 10% of the rows changed; the first
 * export and the change are not timed). Rows from memory (`memory-ours`: prebuilt rows → ValidateStream →
 * EncodeStream → file, next to `memory-hyparquet`: hyparquet-writer on the same rows) take `--rows` too.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import {
  BENCH_SCHEMA,
  changeTenPercent,
  ensureBenchTables,
  freshIncrementalTable,
  incrementalTable,
  monthlyTable,
} from "./bench_tables.ts";
import { type ChildResult, duckdb, straightforward } from "./baselines.ts";
import { oursCopy, oursRows } from "./ours.ts";
import { parseCodec } from "../src/parquet/codecs.ts";

const DB_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const ALL_PATHS = [
  "copy-binary",
  "copy-text",
  "straightforward",
  "duckdb",
  "ours-rows",
  "ours-copy",
  "ours-cli",
  "ours-cli-rows",
  "ours-cli-partitioned",
  "ours-cli-incremental",
  "memory-ours",
  "memory-hyparquet",
] as const;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "3" },
    paths: { type: "string", default: ALL_PATHS.join(",") },
    codecs: { type: "string", default: "snappy,zstd" },
    table: { type: "string", default: "log,wide,shapes" },
    child: { type: "string" },
    codec: { type: "string", default: "snappy" },
    out: { type: "string" },
    target: { type: "string" },
  },
});

if (values.child) {
  // One path, once: print what it wrote as the last stdout line.
  const [schema, table] = values.target!.split(".");
  const codec = parseCodec(values.codec);
  const file = values.out!;
  const result: ChildResult = values.child === "straightforward"
    ? await straightforward(DB_URL, values.target!, file)
    : values.child === "duckdb"
    ? await duckdb(DB_URL, values.target!, file, codec)
    : values.child.startsWith("memory-")
    ? await memoryPath(values.child, Number(/_(\d+)$/.exec(table)![1]), file)
    : values.child === "ours-rows"
    ? await oursRows(DB_URL, schema, table, file, codec)
    : await oursCopy(DB_URL, schema, table, file, codec);
  console.log(JSON.stringify(result));
  Deno.exit(0);
}

interface Run {
  seconds: number;
  peakMiB: number;
  bytes?: number;
  rows?: number;
}

/** Runs `command` under /usr/bin/time; wall seconds and peak RSS of the command and what it waited on. */
async function timed(command: string[]): Promise<Run> {
  const timeFile = await Deno.makeTempFile();
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%e %M", "-o", timeFile, ...command],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const [seconds, kib] = (await Deno.readTextFile(timeFile)).trim().split("\n").at(-1)!.split(" ").map(
    Number,
  );
  await Deno.remove(timeFile);
  if (!output.success) throw new Error(`${command.join(" ")} exited ${output.code}`);
  const last = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
  const reported = last.startsWith("{") ? JSON.parse(last) as ChildResult : undefined;
  // A child may time and measure itself (rows from memory: the writing only, not building the rows).
  return {
    seconds: reported?.seconds ?? seconds,
    peakMiB: reported?.peakMiB ?? kib / 1024,
    bytes: reported?.bytes,
    rows: reported?.rows,
  };
}

function command(path: string, target: string, codec: string, out: string): string[] {
  switch (path) {
    case "copy-binary":
    case "copy-text":
      return ["psql", DB_URL, "-qc", `\\copy ${target} TO '/dev/null' (FORMAT ${path.slice(5)})`];
    case "ours-cli":
    case "ours-cli-rows":
    case "ours-cli-partitioned":
    case "ours-cli-incremental": {
      const [schema, whole] = target.split(".");
      const rows = Number(/_(\d+)$/.exec(whole)![1]);
      const table = path === "ours-cli-partitioned"
        ? monthlyTable(rows)
        : path === "ours-cli-incremental"
        ? incrementalTable(rows)
        : whole;
      const extra = path === "ours-cli-rows"
        ? ["--no-binary-copy"]
        : path === "ours-cli-partitioned"
        ? ["--partition-by", "logged_at:month"]
        : path === "ours-cli-incremental"
        ? ["--incremental", "--watermark", `${table}=logged_at`]
        : [];
      return [
        Deno.execPath(),
        "task",
        "-q",
        "export",
        "--db",
        DB_URL,
        "--schema",
        schema,
        "--tables",
        table,
        "--codec",
        codec,
        "--out",
        out,
        ...extra,
      ];
    }
    default:
      return [
        Deno.execPath(),
        "run",
        "-A",
        import.meta.filename!,
        "--child",
        path,
        "--target",
        target,
        "--codec",
        codec,
        "--out",
        out,
      ];
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cliExists = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))).tasks?.export;
const paths = values.paths.split(",").filter((p) => !p.startsWith("ours-cli") || cliExists);
/** Paths measured on a table kind: the shapes table by the CLI only; the log's variants on the log. */
const SHAPES_PATHS = new Set(["copy-binary", "ours-cli"]);
const LOG_ONLY = new Set(["ours-cli-partitioned", "ours-cli-incremental", "memory-ours", "memory-hyparquet"]);
const codecs = values.codecs.split(",").map((c) => parseCodec(c).toLowerCase());
const rounds = Number(values.rounds);
const results: Record<string, unknown>[] = [];
const sql = postgres(DB_URL, { max: 1, onnotice: () => {} });
const work = await Deno.makeTempDir({ prefix: "parquet-bench-" });

try {
  for (const rows of values.rows.split(",").map(Number)) {
    const kinds = values.table.split(",") as ("log" | "wide" | "shapes")[];
    const tables = await ensureBenchTables(sql, rows, [
      ...(kinds.includes("shapes") ? ["shapes" as const] : []),
      ...(paths.includes("ours-cli-partitioned") ? ["monthly" as const] : []),
    ]);
    for (const kind of kinds) {
      const target = `${BENCH_SCHEMA}.${tables[kind]}`;
      for (const path of paths) {
        if (kind === "shapes" ? !SHAPES_PATHS.has(path) : LOG_ONLY.has(path) && kind !== "log") continue;
        const pathCodecs = path.startsWith("copy")
          ? ["-"]
          : path === "straightforward" || path.startsWith("memory-")
          ? ["snappy"]
          : codecs;
        for (const codec of pathCodecs) {
          const runs: Run[] = [];
          for (let round = 0; round < rounds; round++) {
            const cli = path.startsWith("ours-cli");
            const out = `${work}/${path}_${codec}_${round}${cli ? "" : ".parquet"}`;
            if (cli) await Deno.mkdir(out);
            try {
              if (path === "ours-cli-incremental") {
                // Untimed: a fresh copy of the log, its first incremental export, then 10% of it changed.
                await freshIncrementalTable(sql, rows);
                await timed(command(path, target, codec === "-" ? "snappy" : codec, out));
                await changeTenPercent(sql, rows);
              }
              runs.push(await timed(command(path, target, codec === "-" ? "snappy" : codec, out)));
            } catch (error) {
              // One failed run (a lost connection, say) is reported, and the others still count.
              console.error(`${path} ${codec} round ${round + 1} failed: ${(error as Error).message}`);
              await Deno.remove(out, { recursive: true }).catch(() => {});
              continue;
            }
            if (runs.at(-1)!.bytes === undefined && path !== "copy-binary" && path !== "copy-text") {
              runs.at(-1)!.bytes = await folderBytes(out);
            }
            await Deno.remove(out, { recursive: true }).catch(() => {});
          }
          if (!runs.length) continue;
          const result = {
            rows,
            table: kind,
            path,
            codec,
            seconds: median(runs.map((r) => r.seconds)),
            peakMiB: median(runs.map((r) => r.peakMiB)),
            bytes: runs[0].bytes,
            runs,
          };
          results.push(result);
          console.error(
            `${rows}\t${kind}\t${path}\t${codec}\t${result.seconds.toFixed(2)} s\t${
              result.peakMiB.toFixed(0)
            } MiB\t${result.bytes ? (result.bytes / 2 ** 20).toFixed(1) + " MiB" : ""}`,
          );
        }
      }
    }
  }
} finally {
  await sql.end();
  await Deno.remove(work, { recursive: true });
}

report(results);
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(
  new URL("./results/latest.json", import.meta.url),
  JSON.stringify(
    { date: new Date().toISOString(), cores: navigator.hardwareConcurrency, rounds, results },
    null,
    2,
  ),
);

async function folderBytes(path: string): Promise<number | undefined> {
  try {
    const info = await Deno.stat(path);
    if (info.isFile) return info.size;
    let total = 0;
    for await (const entry of Deno.readDir(path)) {
      total += (await folderBytes(`${path}/${entry.name}`)) ?? 0;
    }
    return total;
  } catch {
    return undefined;
  }
}

/** A Markdown table: per row count and table, each path's median against COPY binary and straightforward. */
function report(all: Record<string, unknown>[]) {
  type R = {
    rows: number;
    table: string;
    path: string;
    codec: string;
    seconds: number;
    peakMiB: number;
    bytes?: number;
  };
  const rs = all as unknown as R[];
  console.log(
    `\n${rounds} rounds, medians; ${navigator.hardwareConcurrency} cores; ratios against the same run's COPY binary and straightforward (snappy).\n`,
  );
  console.log(
    "| rows | table | path | codec | seconds | rows/s | ÷ COPY binary | ÷ straightforward | peak RSS MiB | file MiB |",
  );
  console.log("| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rs) {
    const same = rs.filter((o) => o.rows === r.rows && o.table === r.table);
    const copy = same.find((o) => o.path === "copy-binary")?.seconds;
    const plain = same.find((o) => o.path === "straightforward" && o.codec === r.codec)?.seconds ??
      same.find((o) => o.path === "straightforward")?.seconds;
    const ratio = (base?: number) => (base ? (r.seconds / base).toFixed(2) + "×" : "");
    console.log(
      `| ${r.rows.toLocaleString("en")} | ${r.table} | ${r.path} | ${r.codec} | ${r.seconds.toFixed(2)} | ${
        Math.round(r.rows / r.seconds).toLocaleString("en")
      } | ${ratio(copy)} | ${ratio(plain)} | ${r.peakMiB.toFixed(0)} | ${
        r.bytes ? (r.bytes / 2 ** 20).toFixed(1) : ""
      } |`,
    );
  }
}
