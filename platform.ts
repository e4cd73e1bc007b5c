/**
 * The borehole platform's tables: the 29 table definitions of the geotechnical borehole-logging
 * platform this library was born to export, and a registry by name and by group. Their PostgreSQL DDL
 * is `platform/ddl.sql`; `deno task seed` fills them with sample data.
 *
 * ```ts
 * import { getSchema, listSchemas, SCHEMA_GROUPS } from "@parquet-storage/engine/platform";
 *
 * console.assert(listSchemas().length === 29);
 * console.assert(SCHEMA_GROUPS.stratum.includes("stratum_layers"));
 * console.assert(getSchema("stratum_layers") !== undefined);
 * ```
 *
 * @module
 */

export { getSchema, listSchemas, SCHEMA_GROUPS, type SchemaGroup } from "./platform/registry.ts";
