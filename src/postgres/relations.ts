// This module is browser compatible.

/**
 * What a whole-schema export leaves out, and why: views, materialized views and foreign tables are
 * exported only when named (their rows are a query's, or a remote server's), and a materialized view
 * never refreshed has no rows to read at all.
 *
 * @module
 */

import { SourceError } from "../errors.ts";
import type { CatalogQuery } from "./introspect.ts";

/** A relation of a schema that a whole-schema export does not export. */
export interface SkippedRelation {
  /** The relation's name. */
  name: string;
  /** What it is. */
  kind: "view" | "materialized view" | "foreign table";
  /** Why it was not exported, and how to export it. */
  reason: string;
}

const KINDS: Record<string, SkippedRelation["kind"]> = {
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

// Relations an extension owns (PostGIS's geometry_columns views) are its catalog, not the user's data.
const RELATIONS_SQL = `
SELECT c.relname AS name, c.relkind AS kind, c.relispopulated AS populated
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relkind IN ('v', 'm', 'f')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY c.relname`;

/**
 * The views, materialized views and foreign tables of `schema` (not those of extensions), each with the
 * reason a whole-schema export skips it.
 *
 * @example
 * ```ts ignore
 * import { skippedRelations } from "./relations.ts";
 * for (const r of await skippedRelations(query, "public")) console.error(`skipped ${r.name}: ${r.reason}`);
 * ```
 */
export async function skippedRelations(query: CatalogQuery, schema: string): Promise<SkippedRelation[]> {
  return (await query(RELATIONS_SQL, [schema])).map((row) => {
    const kind = KINDS[String(row.kind)];
    const name = String(row.name);
    const populated = row.populated === true || row.populated === "t";
    const reason = kind === "foreign table"
      ? `a foreign table (its rows live on another server): name it in tables to export it`
      : kind === "view"
      ? `a view (its rows are a query's): name it in tables to export it`
      : populated
      ? `a materialized view: name it in tables to export it`
      : `a materialized view never populated: run REFRESH MATERIALIZED VIEW, then name it in tables`;
    return { name, kind, reason };
  });
}

const UNPOPULATED_SQL = `
SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind = 'm' AND NOT c.relispopulated`;

/**
 * Refuses, before anything is written, to export a materialized view that was never populated (reading
 * it would fail midway through the run).
 *
 * @throws {SourceError} naming the first such view and the command that fills it.
 * @example
 * ```ts ignore
 * await refuseUnpopulated(query, "public", ["daily_totals"]);
 * ```
 */
export async function refuseUnpopulated(query: CatalogQuery, schema: string, names: string[]): Promise<void> {
  const [row] = await query(UNPOPULATED_SQL, [schema, names]);
  if (!row) return;
  const name = String(row.name);
  throw new SourceError(
    `Cannot export materialized view ${schema}.${name}: it has not been populated; ` +
      `run REFRESH MATERIALIZED VIEW ${schema}.${name} first`,
    { table: name },
  );
}
