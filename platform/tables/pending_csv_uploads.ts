import { int, jsonb, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { uploadStatus } from "../enums.ts";

/** CSV files of borelogs or lab results uploaded for import, staged with their parse errors until approved. */
export const pendingCsvUploads = defineTable("pending_csv_uploads", {
  id: uuid(),
  project_id: uuid(),
  substructure_id: uuid().nullable(),
  uploaded_by: uuid(),
  file_name: text(),
  file_type: text(),
  status: uploadStatus,
  total_records: int(),
  valid_records: int(),
  errors: jsonb(),
  parsed_rows: jsonb().nullable(),
  uploaded_at: timestamptz(),
  processed_at: timestamptz().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
