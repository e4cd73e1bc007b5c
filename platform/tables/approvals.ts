import { smallint, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { approvalDecision } from "../enums.ts";

/** Approval decisions on borelog and lab report versions. */
export const approvals = defineTable("approvals", {
  id: uuid(),
  entity_type: text(),
  entity_id: uuid(),
  version_no: smallint(),
  approver_id: uuid(),
  decision: approvalDecision,
  comments: text().nullable(),
  requested_at: timestamptz(),
  decided_at: timestamptz().nullable(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
