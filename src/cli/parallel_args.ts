/**
 * The export's flags for parallel runs (`--jobs`, `--leader`, `--shard`, `--snapshot`, `--batch`,
 * `--commit`): their declarations for `parseArgs`, their help, and the checks of how they combine.
 *
 * @module
 */

/** What the parallel flags ask for. */
export interface ParallelSettings {
  /** `--jobs N`: workers in this process (with `--leader`: the shards the plan is made for). Default 1. */
  jobs: number;
  /** `--leader`: take and plan the snapshot, print its ids, hold it until the commit (or stdin closes). */
  leader: boolean;
  /** `--shard i/N`: export shard i of N of the leader's batch. */
  shard?: { index: number; count: number };
  /** `--snapshot ID`, with `--shard`. */
  snapshot?: string;
  /** `--batch ID`, with `--shard`. */
  batch?: string;
  /** `--commit BATCH`: commit a batch exported in shards. */
  commit?: string;
}

/** The flags, for `parseArgs`'s `options`. */
export const PARALLEL_FLAGS = {
  jobs: { type: "string" },
  leader: { type: "boolean", default: false },
  shard: { type: "string" },
  snapshot: { type: "string" },
  batch: { type: "string" },
  commit: { type: "string" },
} as const;

/** The flags' lines of the help text. */
export const PARALLEL_USAGE =
  `  --jobs N               export with N workers, each on its own connection, all in one snapshot;
                         large tables are split into ranges of blocks, one file each (default: 1)
  --leader               for shards in other processes: take the snapshot, plan it (for --jobs N
                         shards), print "snapshot=ID batch=ID", hold the snapshot until the batch
                         is committed, stdin (a pipe or terminal) closes, or SIGINT/SIGTERM
  --shard i/N            export shard i of N of the leader's batch (with --snapshot and --batch)
  --snapshot ID          the snapshot id the leader printed
  --batch ID             the batch id the leader printed
  --commit BATCH         commit a batch once all its shards have written their parts`;

/** A flag problem: the message says which flag and the value seen. */
type Fail = (message: string) => never;

/**
 * Checks the parallel flags among `values` (as `parseArgs` gives them) and how they combine.
 *
 * @example
 * ```ts
 * import { parallelSettings } from "./parallel_args.ts";
 * const fail = (message: string): never => { throw new Error(message); };
 * console.assert(parallelSettings({ jobs: "2" }, fail).jobs === 2);
 * ```
 */
export function parallelSettings(values: Record<string, unknown>, fail: Fail): ParallelSettings {
  const text = (name: string) => values[name] as string | undefined;
  let jobs = 1;
  if (text("jobs") !== undefined) {
    jobs = Number(text("jobs"));
    if (!Number.isInteger(jobs) || jobs < 1) {
      fail(`--jobs must be a positive integer: current value is ${text("jobs")}`);
    }
  }
  let shard: ParallelSettings["shard"];
  if (text("shard") !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(text("shard")!.trim());
    const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    if (!match || count < 1 || index < 1 || index > count) {
      fail(`--shard takes i/N with 1 <= i <= N: current value is ${text("shard")}`);
    }
    shard = { index, count };
    if (!text("snapshot") || !text("batch")) {
      fail(`--shard needs --snapshot and --batch, the ids the leader printed`);
    }
    if (text("jobs") !== undefined) {
      fail(`--shard runs one worker: drop --jobs (current value ${text("jobs")})`);
    }
  } else if (text("snapshot") !== undefined || text("batch") !== undefined) {
    fail(`--snapshot and --batch go with --shard i/N`);
  }
  const leader = values.leader === true;
  const commit = text("commit");
  if (commit !== undefined && !commit.trim()) fail(`--commit needs a batch id: current value is ""`);
  const modes = [leader && "--leader", shard && "--shard", commit !== undefined && "--commit"].filter(
    Boolean,
  );
  if (modes.length > 1) fail(`${modes.join(" and ")} cannot be combined: run them as separate commands`);
  return { jobs, leader, shard, snapshot: text("snapshot"), batch: text("batch"), commit };
}
