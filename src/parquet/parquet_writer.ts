// This module is browser compatible.

/**
 * What both encoders (rows and binary COPY) share: their settings (defaults written once, checked once),
 * the file writer whose bytes go downstream as each row group completes, and the row-group encoder's
 * settings.
 *
 * @module
 */

import type { SchemaElement } from "hyparquet";
import { ParquetFileWriter } from "./file_writer.ts";
import { parquetLeaves } from "./leaves.ts";
import type { RowGroupSettings } from "./row_group_encoder.ts";
import { ParquetStorageError } from "../errors.ts";
import { TABLE_METADATA_KEY, type TableDefinition, tableSpec } from "../schema/table.ts";
import { checkCompressionLevel, parseCodec } from "./codecs.ts";
import { ENCODE_DEFAULTS, type EncodeOptions } from "./encode_options.ts";

export { ENCODE_DEFAULTS, type EncodeOptions } from "./encode_options.ts";

/** Checked encoder settings: every default applied. */
export type EncodeSettings =
  & Required<Omit<EncodeOptions, "metadata" | "compressionLevel" | "fieldIds">>
  & Pick<EncodeOptions, "metadata" | "compressionLevel" | "fieldIds">;

/**
 * Applies the defaults (an option given as `undefined` takes its default, like an absent one) and checks
 * the values, naming the encoder and the value seen.
 */
export function encodeSettings(table: TableDefinition, options: EncodeOptions, who: string): EncodeSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const settings = { ...ENCODE_DEFAULTS, ...given } as EncodeSettings;
  for (const name of ["rowGroupSize", "rowGroupBytes", "pageSize"] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value <= 0) {
      throw new ParquetStorageError(
        `Cannot construct ${who} as ${name} must be a positive integer: current value is ${value}`,
        {
          table: table.name,
        },
      );
    }
  }
  try {
    settings.codec = parseCodec(settings.codec);
    if (settings.compressionLevel !== undefined) {
      checkCompressionLevel(settings.codec, settings.compressionLevel);
    }
  } catch (cause) {
    throw new ParquetStorageError((cause as Error).message, { table: table.name, cause });
  }
  return settings;
}

/**
 * The file writer of one file of `table`, with its schema, whose bytes go to `emit` as each row group is
 * appended (and the footer at `finish`). The footer records the table definition (for readers to
 * restore rows) and any extra metadata.
 */
export function openFileWriter(
  table: TableDefinition,
  schema: SchemaElement[],
  settings: EncodeSettings,
  emit: (bytes: Uint8Array) => void,
): ParquetFileWriter {
  const metadata = [
    { key: TABLE_METADATA_KEY, value: JSON.stringify(tableSpec(table)) },
    ...Object.entries(settings.metadata ?? {}).map(([key, value]) => ({ key, value })),
  ];
  return new ParquetFileWriter({ schema, metadata }, emit);
}

/** What the row-group encoders need of a file: its leaf columns, codec and page size. */
export function rowGroupSettings(schema: SchemaElement[], settings: EncodeSettings): RowGroupSettings {
  const leaves = parquetLeaves(schema);
  return {
    elements: leaves.map((leaf) => leaf.element),
    paths: leaves.map((leaf) => leaf.path),
    codec: settings.codec,
    ...(settings.compressionLevel === undefined ? {} : { level: settings.compressionLevel }),
    pageSize: settings.pageSize,
  };
}
