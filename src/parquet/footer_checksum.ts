// This module is browser compatible.

/**
 * A checksum for the footer. Parquet protects pages with a CRC32 but not the footer, so a flipped bit
 * there can turn a column's name, statistics or offsets into others and read as different rows. Our files
 * carry one more key-value entry, {@link FOOTER_CRC_KEY}, whose value is the CRC32 (8 hex digits) of the
 * footer's Thrift bytes as written with that value at `00000000`. Other readers see an ordinary entry.
 *
 * @module
 */

import CRC32 from "crc-32";
import type { KeyValue } from "hyparquet";

/** The key of the footer checksum entry. */
export const FOOTER_CRC_KEY = "parquet_storage.footer_crc32";

const PLACEHOLDER = "00000000";
const KEY = new TextEncoder().encode(FOOTER_CRC_KEY);
// After the key's bytes: the value's compact-protocol field header (field 2, binary) and its length, 8.
const VALUE_HEADER = [0x18, 0x08];

/** The entry to write last in the footer's key-value metadata, sealed by {@link sealFooter}. */
export const footerChecksumEntry: KeyValue = { key: FOOTER_CRC_KEY, value: PLACEHOLDER };

/** Writes the checksum into footer Thrift bytes that hold {@link footerChecksumEntry}. */
export function sealFooter(footer: Uint8Array): void {
  const at = valueOffset(footer);
  if (at === undefined) throw new Error("Cannot seal a footer that holds no checksum entry");
  footer.set(hex(CRC32.buf(footer) >>> 0), at);
}

/**
 * Checks footer Thrift bytes: `"absent"` when they hold no checksum entry (a file of another writer,
 * or one whose entry was damaged), `"ok"`, or `"mismatch"`.
 */
export function checkFooterChecksum(footer: Uint8Array): "absent" | "ok" | "mismatch" {
  const at = valueOffset(footer);
  if (at === undefined) return "absent";
  const stored = footer.slice(at, at + 8);
  const copy = footer.slice();
  copy.set(new TextEncoder().encode(PLACEHOLDER), at);
  const expected = hex(CRC32.buf(copy) >>> 0);
  return stored.every((byte, i) => byte === expected[i]) ? "ok" : "mismatch";
}

/** Where the entry's 8 value bytes start, if the key is there followed by a value of 8 bytes. */
function valueOffset(footer: Uint8Array): number | undefined {
  outer: for (let i = footer.length - KEY.length - 10; i >= 0; i--) {
    for (let j = 0; j < KEY.length; j++) if (footer[i + j] !== KEY[j]) continue outer;
    const after = i + KEY.length;
    if (footer[after] !== VALUE_HEADER[0] || footer[after + 1] !== VALUE_HEADER[1]) return undefined;
    return after + 2;
  }
  return undefined;
}

function hex(value: number): Uint8Array {
  return new TextEncoder().encode(value.toString(16).padStart(8, "0"));
}
