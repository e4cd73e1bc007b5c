/**
 * `deno task schemas:check`: compares every registered table definition (`platform/`) with the live
 * database and prints each difference — missing or extra table column, type, nullability, primary key.
 *
 * Exit codes: 0 no drift, 1 drift (or the database could not be read), 2 bad usage.
 *
 * @module
 */

import postgres from "postgres";
import { getSchema, listSchemas } from "../../platform/registry.ts";
import { checkDrift } from "../postgres/drift.ts";
import type { TableDefinition } from "../schema/table.ts";
import { type Command, DATABASE_FLAG, databaseUrl, runCommand, UsageError } from "./command.ts";

/** The command and its flags, from which the parser and the help are made. */
export const SCHEMAS_CHECK_COMMAND: Command = {
  name: "schemas:check",
  description: `Compares the platform's table definitions (platform/) with the tables in --schema of --db and
prints every difference.`,
  flags: [
    DATABASE_FLAG,
    { name: "schema", type: "string", value: "NAME", default: "public", help: "PostgreSQL schema" },
    { name: "table", type: "string", value: "NAME", multiple: true, help: "check only this table" },
    { name: "json", type: "boolean", help: "print the differences as JSON on stdout" },
  ],
  epilogue: "Exit codes: 0 no drift, 1 drift (or the database could not be read), 2 bad usage.",
};

/** Runs the command; returns the exit code. */
export function main(args: string[]): Promise<number> {
  return runCommand(SCHEMAS_CHECK_COMMAND, args, (flags) => check(flags as unknown as CheckFlags));
}

interface CheckFlags {
  db?: string;
  schema: string;
  table?: string[];
  json: boolean;
}

async function check(values: CheckFlags): Promise<number> {
  let tables: TableDefinition[];
  try {
    tables = values.table?.length ? values.table.map(getSchema) : listSchemas();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const url = databaseUrl(values.db);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const drift = await checkDrift(
      (text, params) => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]),
      tables,
      { schema: values.schema },
    );
    if (values.json) console.log(JSON.stringify({ schema: values.schema, tables: tables.length, drift }));
    else {
      for (const d of drift) console.log(d.message);
      const affected = new Set(drift.map((d) => d.table)).size;
      console.error(
        drift.length
          ? `${drift.length} difference(s) in ${affected} of ${tables.length} table(s) in schema ${values.schema}`
          : `no drift: ${tables.length} table(s) in schema ${values.schema} match their definitions`,
      );
    }
    return drift.length ? 1 : 0;
  } catch (error) {
    console.error(`schemas:check: cannot read the catalog of ${redact(url)}: ${(error as Error).message}`);
    return 1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "the database";
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
