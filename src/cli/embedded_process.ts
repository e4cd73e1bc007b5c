/**
 * The embedded sample database in a process of its own. PGlite's PostgreSQL is 10 MB of WebAssembly:
 * compiled by V8's optimising tier as well it takes about 90 MB more than with the baseline tier alone
 * (`--liftoff-only`), which is plenty fast for a few MB of sample data, but too slow for the export's own
 * WebAssembly (snappy). A child process lets each have its own setting, and the export's process never
 * loads PGlite. The child prints one JSON line (the URL, the counts) and serves until its stdin closes.
 *
 * @module
 */

import type { EmbeddedDatabase, EmbeddedOptions } from "./embedded.ts";

/** What the child prints once it serves. */
type Started = Omit<EmbeddedDatabase, typeof Symbol.asyncDispose>;

/** What a child is asked to do: `initdb` into `dataDir`, `seed` it into the cache, or serve. */
type Stage = "initdb" | "seed" | "serve";

/**
 * V8's settings for each child. initdb leaves its heap copies, data directory and tarball behind as
 * garbage in ArrayBuffers, which V8 frees late when its heap is large: a small old space and young
 * generation (the live JavaScript is a few MB) make it collect as it goes, some 60-100 MB lower.
 */
const V8_FLAGS: Record<Stage, string> = {
  initdb: "--liftoff-only,--max-old-space-size=32,--max-semi-space-size=1",
  seed: "--liftoff-only,--max-old-space-size=64",
  serve: "--liftoff-only,--max-old-space-size=64",
};

/**
 * Starts the embedded database in a child Deno process and resolves once it accepts connections.
 * Dispose of it to stop the child. On a first run (nothing cached for these options) initdb and the
 * seeding each run first in a short-lived child of their own, one after the other, writing to a data
 * directory on disk and then to the cache: the process tree's peak is the largest of them, not their sum.
 *
 * @example
 * ```ts ignore
 * import { startEmbeddedProcess } from "./embedded_process.ts";
 * await using db = await startEmbeddedProcess();
 * console.log(db.url, db.counts.borehole);
 * ```
 */
export async function startEmbeddedProcess(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const { cacheFile, hasCache } = await import("./embedded_cache.ts");
  const file = options.cache === false
    ? undefined
    : await cacheFile(options.rows ?? 20, options.postgis ?? false);
  let dataDir: string | undefined;
  const firstRun = !file || !await hasCache(file);
  if (firstRun) {
    const made = await Deno.makeTempDir({ prefix: "parquet-storage-pglite-" });
    dataDir = made;
    try {
      await runStage("initdb", { ...options, dataDir: made });
      if (file) {
        await runStage("seed", { ...options, dataDir: made });
        // Seeded and cached: the server starts from the cache, as on later runs.
        if (await hasCache(file)) {
          await removeDataDir(made);
          dataDir = undefined;
        }
      }
    } catch (error) {
      await removeDataDir(made);
      throw error;
    }
  }
  try {
    const served = await serveInChild({ ...options, dataDir });
    return {
      ...served,
      cached: served.cached && !firstRun,
      async [Symbol.asyncDispose]() {
        await served[Symbol.asyncDispose]();
        if (dataDir) await removeDataDir(dataDir);
      },
    };
  } catch (error) {
    if (dataDir) await removeDataDir(dataDir);
    throw error;
  }
}

async function removeDataDir(dataDir: string): Promise<void> {
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}

function spawn(stage: Stage, options: EmbeddedOptions): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--v8-flags=${V8_FLAGS[stage]}`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      new URL(import.meta.url).href,
      stage,
      JSON.stringify(options),
    ],
    stdin: stage === "serve" ? "piped" : "null",
    stdout: stage === "serve" ? "piped" : "null",
    stderr: "inherit",
  }).spawn();
}

/** Runs a first-run stage to its end. */
async function runStage(stage: Stage, options: EmbeddedOptions): Promise<void> {
  const { code } = await spawn(stage, options).status;
  if (code !== 0) throw new Error(`The embedded database's ${stage} process failed (exit code ${code})`);
}

async function serveInChild(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const child = spawn("serve", options);
  const stdin = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) {
      const { code } = await child.status;
      throw new Error(`The embedded database's process ended (exit code ${code}) before it served`);
    }
    text += value;
  }
  lines.releaseLock();
  child.stdout.cancel().catch(() => {});
  const started: Started = JSON.parse(text.slice(0, text.indexOf("\n")));
  return {
    ...started,
    async [Symbol.asyncDispose]() {
      await stdin.close().catch(() => {});
      await child.status;
    },
  };
}

/** The child: start, say where, serve until stdin closes. */
async function serve(options: EmbeddedOptions): Promise<void> {
  const { startEmbedded } = await import("./embedded.ts");
  await using db = await startEmbedded(options);
  const { url, counts, postgis, cached } = db;
  await Deno.stdout.write(new TextEncoder().encode(JSON.stringify({ url, counts, postgis, cached }) + "\n"));
  for await (const _ of Deno.stdin.readable) {
    // Nothing is sent: the parent closing stdin (or ending) is the signal to stop.
  }
}

/** The first-run stages: initdb into the data directory; seed it and write the cache. */
async function prepare(stage: Stage, options: EmbeddedOptions): Promise<void> {
  const { initDataDir, startEmbedded } = await import("./embedded.ts");
  if (stage === "initdb") await initDataDir(options.dataDir!);
  else await (await startEmbedded(options))[Symbol.asyncDispose]();
}

if (import.meta.main) {
  const [stage, options] = [Deno.args[0] as Stage, JSON.parse(Deno.args[1] ?? "{}")];
  if (stage === "serve") await serve(options);
  else await prepare(stage, options);
}
