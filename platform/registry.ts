/**
 * The borehole platform's 29 tables: one definition each (`tables/<name>.ts`), their PostgreSQL DDL
 * (`ddl.sql`), and a registry by name and by group.
 *
 * ```ts
 * import { getSchema, listSchemas, SCHEMA_GROUPS } from "./registry.ts";
 * import * as v from "valibot";
 *
 * console.assert(listSchemas().length === 29);
 * console.assert(SCHEMA_GROUPS.stratum.includes("stratum_layers"));
 * const result = v.safeParse(getSchema("stratum_layers"), { depth_from_m: 1.2 });
 * console.assert(!result.success); // the other columns are missing
 * ```
 *
 * @module
 */

import { SchemaError } from "../src/errors.ts";
import type { TableDefinition } from "../src/schema/table.ts";
import { approvals } from "./tables/approvals.ts";
import { borehole } from "./tables/borehole.ts";
import { borelogAssignments } from "./tables/borelog_assignments.ts";
import { borelogDetails } from "./tables/borelog_details.ts";
import { borelogImages } from "./tables/borelog_images.ts";
import { borelogSubmissions } from "./tables/borelog_submissions.ts";
import { borelogVersions } from "./tables/borelog_versions.ts";
import { boreloge } from "./tables/boreloge.ts";
import { contacts } from "./tables/contacts.ts";
import { csvUploadAudit } from "./tables/csv_upload_audit.ts";
import { customers } from "./tables/customers.ts";
import { groundwaterObservations } from "./tables/groundwater_observations.ts";
import { labReportAttachments } from "./tables/lab_report_attachments.ts";
import { labReportVersions } from "./tables/lab_report_versions.ts";
import { labTestAssignments } from "./tables/lab_test_assignments.ts";
import { notifications } from "./tables/notifications.ts";
import { organisations } from "./tables/organisations.ts";
import { pendingCsvUploads } from "./tables/pending_csv_uploads.ts";
import { projectMembers } from "./tables/project_members.ts";
import { projects } from "./tables/projects.ts";
import { rockTestSamples } from "./tables/rock_test_samples.ts";
import { soilTestSamples } from "./tables/soil_test_samples.ts";
import { stratumLayers } from "./tables/stratum_layers.ts";
import { stratumSamplePoints } from "./tables/stratum_sample_points.ts";
import { structure } from "./tables/structure.ts";
import { subStructures } from "./tables/sub_structures.ts";
import { substructureAssignments } from "./tables/substructure_assignments.ts";
import { unifiedLabReports } from "./tables/unified_lab_reports.ts";
import { users } from "./tables/users.ts";

export {
  approvals,
  borehole,
  borelogAssignments,
  borelogDetails,
  boreloge,
  borelogImages,
  borelogSubmissions,
  borelogVersions,
  contacts,
  csvUploadAudit,
  customers,
  groundwaterObservations,
  labReportAttachments,
  labReportVersions,
  labTestAssignments,
  notifications,
  organisations,
  pendingCsvUploads,
  projectMembers,
  projects,
  rockTestSamples,
  soilTestSamples,
  stratumLayers,
  stratumSamplePoints,
  structure,
  substructureAssignments,
  subStructures,
  unifiedLabReports,
  users,
};

/** The platform's table groups. */
export type SchemaGroup = "core" | "projects" | "boreholes" | "stratum" | "lab_reports" | "workflow";

/**
 * The tables of each group, in dependency order (a table comes after every table it references).
 *
 * @example
 * ```ts
 * import { SCHEMA_GROUPS } from "@parquet-storage/engine/platform";
 * console.assert(SCHEMA_GROUPS.stratum.includes("stratum_layers"));
 * ```
 */
export const SCHEMA_GROUPS: Readonly<Record<SchemaGroup, readonly string[]>> = {
  core: ["customers", "organisations", "users", "contacts"],
  projects: ["projects", "structure", "sub_structures", "project_members"],
  boreholes: [
    "borehole",
    "boreloge",
    "borelog_details",
    "borelog_versions",
    "borelog_images",
    "borelog_submissions",
    "borelog_assignments",
    "groundwater_observations",
  ],
  stratum: ["stratum_layers", "stratum_sample_points"],
  lab_reports: [
    "unified_lab_reports",
    "lab_report_versions",
    "soil_test_samples",
    "rock_test_samples",
    "lab_test_assignments",
    "lab_report_attachments",
  ],
  workflow: [
    "pending_csv_uploads",
    "substructure_assignments",
    "approvals",
    "csv_upload_audit",
    "notifications",
  ],
};

const TABLES: Readonly<Record<string, TableDefinition>> = {
  customers: customers,
  organisations: organisations,
  users: users,
  contacts: contacts,
  projects: projects,
  structure: structure,
  sub_structures: subStructures,
  project_members: projectMembers,
  borehole: borehole,
  boreloge: boreloge,
  borelog_details: borelogDetails,
  borelog_versions: borelogVersions,
  borelog_images: borelogImages,
  borelog_submissions: borelogSubmissions,
  borelog_assignments: borelogAssignments,
  groundwater_observations: groundwaterObservations,
  stratum_layers: stratumLayers,
  stratum_sample_points: stratumSamplePoints,
  unified_lab_reports: unifiedLabReports,
  lab_report_versions: labReportVersions,
  soil_test_samples: soilTestSamples,
  rock_test_samples: rockTestSamples,
  lab_test_assignments: labTestAssignments,
  lab_report_attachments: labReportAttachments,
  pending_csv_uploads: pendingCsvUploads,
  substructure_assignments: substructureAssignments,
  approvals: approvals,
  csv_upload_audit: csvUploadAudit,
  notifications: notifications,
};

/**
 * The definition of one of the platform's tables, by its PostgreSQL name.
 *
 * @throws {SchemaError} for a name that is not one of the 29 tables.
 * @example
 * ```ts
 * import { getSchema } from "./registry.ts";
 * console.assert(getSchema("borehole").columns.location.spec.kind === "point");
 * ```
 */
export function getSchema(name: string): TableDefinition {
  const table = Object.hasOwn(TABLES, name) ? TABLES[name] : undefined;
  if (!table) {
    throw new SchemaError(
      `Cannot find a table definition named ${JSON.stringify(name)}: the platform's tables are ${
        Object.keys(TABLES).join(", ")
      }`,
      { table: name },
    );
  }
  return table;
}

/**
 * The platform's table definitions, in dependency order (referenced tables first), all of them or one
 * group's.
 *
 * @example
 * ```ts
 * import { listSchemas } from "./registry.ts";
 * console.assert(listSchemas("core").map((t) => t.name).join() === "customers,organisations,users,contacts");
 * ```
 */
export function listSchemas(group?: SchemaGroup): TableDefinition[] {
  if (group !== undefined && !Object.hasOwn(SCHEMA_GROUPS, group)) {
    throw new SchemaError(
      `Cannot list the tables of group ${JSON.stringify(group)}: the groups are ${
        Object.keys(SCHEMA_GROUPS).join(", ")
      }`,
    );
  }
  const names = group === undefined ? Object.keys(TABLES) : SCHEMA_GROUPS[group];
  return names.map((name) => TABLES[name]);
}
