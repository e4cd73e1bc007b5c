/**
 * `--config FILE`: a JSON object whose keys are a command's flags without `--`, for scheduled runs. A
 * key no flag has, or a value of the wrong type, is refused naming the key.
 *
 * @module
 */

import { type Flag, type FlagValues, UsageError } from "./command.ts";

/** Keys a config file cannot hold: they say how to read the command line, not what to export. */
const NOT_IN_FILES = new Set(["config", "help"]);

/**
 * Reads the config file at `path` into flag values (strings and booleans, as on the command line).
 *
 * @throws {UsageError} naming the file and the key: unreadable, not JSON, not an object, an unknown key,
 * a value of the wrong type.
 * @example
 * ```ts
 * import { readConfig } from "./config_file.ts";
 * const flags = [{ name: "jobs", type: "string", json: "number", help: "" }] as const;
 * console.assert(readConfig("x.json", flags, () => '{"jobs": 4}').jobs === "4");
 * ```
 */
export function readConfig(
  path: string,
  flags: readonly Flag[],
  readText: (path: string) => string,
): FlagValues {
  let text: string;
  try {
    text = readText(path);
  } catch (error) {
    throw new UsageError(`--config ${path} cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `--config ${path} must hold a JSON object of flags: current value is ${text.trim().slice(0, 40)}`,
    );
  }
  const byName = new Map(flags.map((flag) => [flag.name, flag]));
  const values: FlagValues = {};
  for (const [key, value] of Object.entries(parsed)) {
    const flag = NOT_IN_FILES.has(key) ? undefined : byName.get(key);
    if (!flag) {
      throw new UsageError(
        `--config ${path}: unknown key "${key}" (keys are the flags without --: ${
          flags.filter((f) => !NOT_IN_FILES.has(f.name)).map((f) => f.name).join(", ")
        })`,
      );
    }
    values[key] = flagValue(path, flag, value);
  }
  return values;
}

/** A config value as the command line would give it. */
function flagValue(path: string, flag: Flag, value: unknown): string | boolean {
  const wrong = (expected: string): never => {
    throw new UsageError(
      `--config ${path}: "${flag.name}" must be ${expected}: current value is ${JSON.stringify(value)}`,
    );
  };
  if (flag.type === "boolean") return typeof value === "boolean" ? value : wrong("true or false");
  if (typeof value === "string") return value;
  if (flag.json === "number" && typeof value === "number") return String(value);
  if (flag.json === "list" && Array.isArray(value) && value.every((v) => typeof v === "string")) {
    return value.join(",");
  }
  return wrong(
    flag.json === "number"
      ? "a number or a string"
      : flag.json === "list"
      ? "a string (a,b) or an array of strings"
      : "a string",
  );
}
