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

/**
 * Starts the embedded database in a child Deno process and resolves once it accepts connections.
 * Dispose of it to stop the child.
 *
 * @example
 * ```ts ignore
 * import { startEmbeddedProcess } from "./embedded_process.ts";
 * await using db = await startEmbeddedProcess();
 * console.log(db.url, db.counts.borehole);
 * ```
 */
export async function startEmbeddedProcess(options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--v8-flags=--liftoff-only",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net",
      new URL(import.meta.url).href,
      JSON.stringify(options),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
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

if (import.meta.main) await serve(JSON.parse(Deno.args[0] ?? "{}"));
