import { bigint, int, jsonb, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Append-only trail of everything done to a CSV upload, by whom and when. */
export const csvUploadAudit = defineTable("csv_upload_audit", {
  id: bigint(),
  upload_id: uuid(),
  action: text(),
  actor_id: uuid(),
  row_count: int().nullable(),
  details: jsonb().nullable(),
  occurred_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "occurred_at" });
