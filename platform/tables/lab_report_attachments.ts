import { bigint, smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Files attached to a lab report version (PDF sheets, spreadsheets), with size and SHA-256. */
export const labReportAttachments = defineTable("lab_report_attachments", {
  id: uuid(),
  report_id: uuid(),
  version_no: smallint(),
  file_name: text(),
  content_type: text(),
  size_bytes: bigint(),
  sha256: text(),
  storage_key: text(),
  uploaded_by: uuid(),
  uploaded_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "uploaded_at" });
