import { array, date, jsonb, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { labReportStatus } from "../enums.ts";

/** A laboratory's report on samples from a borelog: tests run, status, summary results and current version. */
export const unifiedLabReports = defineTable("unified_lab_reports", {
  id: uuid(),
  project_id: uuid(),
  borelog_id: uuid(),
  sample_point_id: uuid().nullable(),
  laboratory_id: uuid(),
  report_number: text(),
  status: labReportStatus,
  current_version: smallint(),
  test_types: array(text()),
  summary: jsonb(),
  received_on: date(),
  tested_by: uuid().nullable(),
  approved_at: timestamptz().nullable(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
