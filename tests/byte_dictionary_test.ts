/** The byte dictionary: stable numbering of keys across rehashes and clears. */
import assert from "node:assert/strict";
import { ByteDictionary } from "../src/parquet/byte_dictionary.ts";
import { utf8 } from "./helpers/copy_pages.ts";

Deno.test("ByteDictionary numbers 100,000 distinct keys stably across rehashes, and again after clear", () => {
  const dictionary = new ByteDictionary();
  // Keys of many lengths, the empty key, and keys that are prefixes of one another, all in one buffer
  // at odd offsets, as the decoder hands them over.
  const keys = Array.from(
    { length: 100_000 },
    (_, i) => i === 0 ? "" : `${i.toString(36)}${"·".repeat(i % 5)}`,
  );
  keys.push("1", "11", "111");
  const unique = [...new Set(keys)];
  const joined = utf8.encode(unique.join(""));
  const at: number[] = [];
  for (let i = 0, o = 0; i < unique.length; o += utf8.encode(unique[i]).length, i++) at.push(o);
  const length = (i: number) => (i + 1 < unique.length ? at[i + 1] : joined.length) - at[i];
  for (let i = 0; i < unique.length; i++) assert.equal(dictionary.add(joined, at[i], length(i)), i);
  assert.equal(dictionary.count, unique.length);
  for (let i = unique.length - 1; i >= 0; i--) {
    if (dictionary.add(joined, at[i], length(i)) !== i) assert.fail(`key ${JSON.stringify(unique[i])} moved`);
  }
  assert.equal(dictionary.count, unique.length);
  const decoder = new TextDecoder();
  for (const i of [0, 1, 999, 65_535, unique.length - 1]) {
    const { starts, lengths, arena } = dictionary;
    assert.equal(decoder.decode(arena.subarray(starts[i], starts[i] + lengths[i])), unique[i]);
  }
  dictionary.clear();
  assert.equal(dictionary.count, 0);
  assert.equal(dictionary.add(joined, at[5], length(5)), 0);
  assert.equal(dictionary.add(joined, at[0], length(0)), 1);
  assert.equal(dictionary.add(joined, at[5], length(5)), 0);
});
