import { jsonb, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { labReportStatus } from "../enums.ts";

/** Each version of a lab report, with its full payload (jsonb). */
export const labReportVersions = defineTable("lab_report_versions", {
  id: uuid(),
  report_id: uuid(),
  version_no: smallint(),
  status: labReportStatus,
  payload: jsonb(),
  notes: text().nullable(),
  created_by: uuid(),
  created_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "created_at" });
