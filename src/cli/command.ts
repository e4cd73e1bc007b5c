/**
 * What every `deno task …` command shares: one table of flags that both the parser (Node's `parseArgs`,
 * built into Deno's Node compatibility) and the help text are made from, so the two never disagree;
 * and the preamble: bad usage prints the message and the help and exits 2, `--help` prints the help and
 * exits 0.
 *
 * @module
 */

import { parseArgs } from "node:util";

/** One flag of a command. */
export interface Flag {
  /** The name, without `--` (`row-group-size`). */
  name: string;
  /** A switch (`boolean`) or a flag with a value (`string`). */
  type: "string" | "boolean";
  /** What the value looks like in the help (`N`, `a,b`, `URL`). */
  value?: string;
  /** The default, applied after parsing (and after a config file) and shown in the help. */
  default?: string;
  /** The default as the help says it, when it is not a value (`every table of --schema`). */
  defaultText?: string;
  /** One short letter (`h`). */
  short?: string;
  /** What the flag does, for the help (wrapped there). */
  help: string;
  /** The flag may be given more than once (its value is then a list). */
  multiple?: boolean;
  /** The JSON types a config file may give besides a string: numbers, or arrays of strings (joined with `,`). */
  json?: "number" | "list";
}

/** A command: its name, its flags, and the text around them in the help. */
export interface Command {
  /** `export`, as in `deno task export`. */
  name: string;
  /** What the command does, before the flags in the help. */
  description: string;
  /** The flags, in the order the help lists them. */
  flags: readonly Flag[];
  /** After the flags in the help (exit codes, …). */
  epilogue?: string;
}

/** The values of a command line: a string per flag with a value, a boolean per switch (defaults applied). */
export type FlagValues = Record<string, string | string[] | boolean | undefined>;

/** A command line that cannot be run; the message says which flag and the value seen. */
export class UsageError extends Error {
  /** Builds a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The `--help` flag every command has. */
export const HELP_FLAG: Flag = { name: "help", type: "boolean", short: "h", help: "show this help" };

const HELP_WIDTH = 108;
const FLAG_COLUMN = 25;

/**
 * The help text of `command`, made from its flag table: every flag, what it takes, and its default.
 *
 * @example
 * ```ts
 * import { usage } from "./command.ts";
 * const text = usage({ name: "demo", description: "Does nothing.", flags: [
 *   { name: "out", type: "string", value: "PATH", default: "./data", help: "where to write" },
 * ] });
 * console.assert(text.includes("--out PATH") && text.includes("(default: ./data)"));
 * ```
 */
export function usage(command: Command): string {
  const lines = [`Usage: deno task ${command.name} [options]`, "", command.description, "", "Options:"];
  for (const flag of withHelp(command.flags)) {
    const head = `  --${flag.name}${flag.value ? ` ${flag.value}` : ""}`;
    const fallback = shownDefault(flag);
    const help = flag.multiple ? `${flag.help} (repeatable)` : flag.help;
    const text = fallback === undefined ? help : `${help} (default: ${fallback})`;
    const words = text.split(/\s+/);
    let line = head.length < FLAG_COLUMN - 1
      ? head.padEnd(FLAG_COLUMN)
      : `${head}\n${" ".repeat(FLAG_COLUMN)}`;
    let width = line.length - line.lastIndexOf("\n") - 1;
    let first = true;
    for (const word of words) {
      if (!first && width + 1 + word.length > HELP_WIDTH) {
        lines.push(line);
        line = " ".repeat(FLAG_COLUMN) + word;
        width = line.length;
      } else {
        line += (first ? "" : " ") + word;
        width += (first ? 0 : 1) + word.length;
      }
      first = false;
    }
    lines.push(line);
  }
  if (command.epilogue) lines.push("", command.epilogue);
  return lines.join("\n");
}

/**
 * Parses `args` against the command's flag table. `base` (a config file's values, say) fills what the
 * command line does not give; the defaults fill the rest.
 *
 * @throws {UsageError} for an unknown flag, a missing value, a value given to a switch, or a positional.
 * @example
 * ```ts
 * import { parseFlags } from "./command.ts";
 * const flags = [{ name: "out", type: "string", default: "./data", help: "" }] as const;
 * const values = parseFlags({ name: "demo", description: "", flags }, ["--out", "x"]);
 * console.assert(values.out === "x" && values.help === false);
 * ```
 */
export function parseFlags(command: Command, args: string[], base: FlagValues = {}): FlagValues {
  const flags = withHelp(command.flags);
  const options = Object.fromEntries(
    flags.map((flag) => [flag.name, {
      type: flag.type,
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    }]),
  );
  let values: FlagValues;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const merged: FlagValues = {};
  for (const flag of flags) {
    merged[flag.name] = values[flag.name] ?? base[flag.name] ?? flag.default ??
      (flag.type === "boolean" ? false : undefined);
  }
  return merged;
}

/**
 * Runs a command's preamble, then `run`: bad usage (a {@link UsageError} from parsing or from `run`)
 * prints `<name>: <message>`, a blank line and the help on stderr and gives 2; `--help` prints the help
 * on stdout and gives 0. Returns the exit code.
 *
 * @example
 * ```ts
 * import { runCommand } from "./command.ts";
 * const demo = { name: "demo", description: "Says hello.", flags: [] };
 * console.assert(await runCommand(demo, [], () => Promise.resolve(0)) === 0);
 * ```
 */
export async function runCommand<T extends { help?: unknown } = FlagValues>(
  command: Command,
  args: string[],
  run: (values: T) => Promise<number>,
  parse: (args: string[]) => T = (args) => parseFlags(command, args) as T,
): Promise<number> {
  const help = usage(command);
  try {
    const values = parse(args);
    if (values.help) {
      console.log(help);
      return 0;
    }
    return await run(values);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${command.name}: ${error.message}\n\n${help}`);
    return 2;
  }
}

/** The default as the help shows it: a switch is off, a flag with a value and no default is unset. */
function shownDefault(flag: Flag): string | undefined {
  if (flag.name === "help") return undefined;
  return flag.defaultText ?? flag.default ?? (flag.type === "boolean" ? "off" : "none");
}

function withHelp(flags: readonly Flag[]): readonly Flag[] {
  return flags.some((flag) => flag.name === "help") ? flags : [...flags, HELP_FLAG];
}

/**
 * The flags as a Markdown table (flag, what it does, default), as the README shows them; a test keeps
 * the README's copy equal to it.
 *
 * @example
 * ```ts
 * import { markdownFlags } from "./command.ts";
 * const table = markdownFlags([{ name: "out", type: "string", value: "PATH", default: "./data", help: "where" }]);
 * console.assert(table.includes("| `--out PATH` | where | `./data` |"));
 * ```
 */
export function markdownFlags(flags: readonly Flag[]): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  const rows = withHelp(flags).map((flag) => {
    const fallback = flag.default !== undefined ? `\`${flag.default}\`` : shownDefault(flag) ?? "";
    return `| \`--${flag.name}${flag.value ? ` ${flag.value}` : ""}\` | ${cell(flag.help)} | ${
      cell(fallback)
    } |`;
  });
  return ["| flag | meaning | default |", "| --- | --- | --- |", ...rows].join("\n");
}

const LOCAL_DATABASE = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The `--db` flag of the commands that work on a development database (seed, schemas:check); the
 * URL it resolves to is {@link databaseUrl}'s.
 *
 * @example
 * ```ts
 * import { DATABASE_FLAG } from "./command.ts";
 * console.assert(DATABASE_FLAG.name === "db");
 * ```
 */
export const DATABASE_FLAG: Flag = {
  name: "db",
  type: "string",
  value: "URL",
  defaultText: `DATABASE_URL, else ${LOCAL_DATABASE}`,
  help: "PostgreSQL URL",
};

/**
 * The database of {@link DATABASE_FLAG}: `--db`, else `DATABASE_URL`, else the local test database.
 *
 * @example
 * ```ts
 * import { databaseUrl } from "./command.ts";
 * console.assert(databaseUrl("postgres://h/db") === "postgres://h/db");
 * ```
 */
export function databaseUrl(db: string | undefined): string {
  return db ?? Deno.env.get("DATABASE_URL") ?? LOCAL_DATABASE;
}
