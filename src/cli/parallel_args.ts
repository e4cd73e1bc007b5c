/**
 * The export's flags for parallel runs (`--jobs`, `--leader`, `--shard`, `--snapshot`, `--batch`,
 * `--commit`; declared with the others in `flags.ts`): the checks of their values and of how they combine.
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
