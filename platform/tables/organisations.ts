import { text, timestamptz, uuid } from "../../src/schema/columns.ts";
import { defineTable } from "../../src/schema/table.ts";
import { organisationKind } from "../enums.ts";

/** A company taking part in projects (client, consultant, contractor or laboratory), optionally tied to a customer. */
export const organisations = defineTable("organisations", {
  id: uuid(),
  customer_id: uuid().nullable(),
  name: text(),
  kind: organisationKind,
  website: text().nullable(),
  created_at: timestamptz(),
  updated_at: timestamptz(),
}, { primaryKey: ["id"], watermark: "updated_at" });
