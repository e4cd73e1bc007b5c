import { bigint, jsonb, text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";

/** Messages to users (assignments, reviews, upload results), read or unread. */
export const notifications = defineTable("notifications", {
  id: bigint(),
  user_id: uuid(),
  kind: text(),
  title: text(),
  body: text().nullable(),
  link: text().nullable(),
  payload: jsonb().nullable(),
  read_at: timestamptz().nullable(),
  created_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "created_at" });
