/** `deno task export --leader` in a child process, for the shard tests. */

import assert from "node:assert/strict";

/** A running leader: the ids it printed, and how to end it. */
export interface Leader {
  snapshot: string;
  batch: string;
  child: Deno.ChildProcess;
  /** Closes its stdin (which releases the snapshot) and checks that it ended cleanly. */
  close(): Promise<void>;
}

/** Starts `--leader`; resolves with its ids once it has printed them. */
export async function startLeader(args: string[]): Promise<Leader> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../src/cli/export.ts", import.meta.url).pathname, "--leader", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/batch=\S+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(child.stderr).text();
      throw new Error(`the leader ended: ${text} ${err}`);
    }
    text += value;
  }
  const [, snapshot, batch] = /snapshot=(\S+) batch=(\S+)/.exec(text)!;
  return {
    snapshot,
    batch,
    child,
    close: async () => {
      await child.stdin.close().catch(() => {});
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      const status = await child.status;
      await child.stderr.cancel().catch(() => {});
      assert.equal(status.code, 0, "the leader ends cleanly when stdin closes");
    },
  };
}
