/**
 * Running the project's commands as a user would, in a child process.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** What a command did. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment variables that point at a database, removed for the embedded default. */
export { DATABASE_VARIABLES } from "../../src/cli/args.ts";

/** Starts `src/cli/<name>.ts` with `args`; `env` adds variables, `unset` removes some. */
export function spawnCli(
  name: string,
  args: string[],
  options: { env?: Record<string, string>; unset?: readonly string[] } = {},
): Deno.ChildProcess {
  const env = { ...Deno.env.toObject(), ...options.env };
  for (const key of options.unset ?? []) delete env[key];
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${REPO}src/cli/${name}.ts`, ...args],
    cwd: REPO,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `src/cli/<name>.ts` to completion. */
export async function runCli(
  name: string,
  args: string[],
  options: { env?: Record<string, string>; unset?: readonly string[] } = {},
): Promise<Ran> {
  const output = await spawnCli(name, args, options).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}
