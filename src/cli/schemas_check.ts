/**
 * `deno task schemas:check`: compares every registered table definition (`platform/`) with the live
 * database and prints each difference — missing or extra table column, type, nullability, primary key.
 *
 * Exit codes: 0 no drift, 1 drift (or the database could not be read), 2 bad usage.
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { getSchema, listSchemas } from "../../platform/registry.ts";
import { checkDrift } from "../postgres/drift.ts";
import type { TableDefinition } from "../schema/table.ts";

const USAGE = `Usage: deno task schemas:check [--db postgres://…] [--schema public] [--table name …] [--json]

Compares the platform's table definitions (platform/) with the tables in --schema of --db (default:
DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) and prints every difference. --table limits
the check to the named tables (repeatable). Exits 0 without drift, 1 with drift, 2 on bad usage.`;

/** Runs the command; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        db: { type: "string" },
        schema: { type: "string", default: "public" },
        table: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    console.error(`schemas:check: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let tables: TableDefinition[];
  try {
    tables = values.table?.length ? values.table.map(getSchema) : listSchemas();
  } catch (error) {
    console.error(`schemas:check: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const url = values.db ?? Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
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
