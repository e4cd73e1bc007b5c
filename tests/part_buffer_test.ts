import assert from "node:assert/strict";
import { PartBuffer } from "../src/sinks/part_buffer.ts";

const MiB = 1024 * 1024;

Deno.test("part buffer: takes memory as bytes arrive, not a whole part at the first write", () => {
  const part = new PartBuffer(8 * MiB);
  assert.equal(part.capacity, 0);
  assert.equal(part.fill(new Uint8Array(10).fill(1), 0), 10);
  assert.equal(part.capacity, 64 * 1024);
  part.fill(new Uint8Array(100 * 1024).fill(2), 0);
  assert.equal(part.filled, 10 + 100 * 1024);
  assert.equal(part.capacity, 128 * 1024);
  const body = part.take();
  assert.equal(body.length, 10 + 100 * 1024);
  assert.deepEqual([body[0], body[9], body[10], body.at(-1)], [1, 1, 2, 2]);
  assert.equal(part.filled, 0);
  assert.equal(part.capacity, 0);
});

Deno.test("part buffer: fills to the part size exactly, then later parts take the part size at once", () => {
  const partSize = 5 * MiB;
  const part = new PartBuffer(partSize);
  const chunk = new Uint8Array(3 * MiB).map((_, i) => i % 251);
  assert.equal(part.fill(chunk, 0), 3 * MiB);
  assert.equal(part.fill(chunk, 0), 2 * MiB); // only the room left
  assert.ok(part.full);
  assert.equal(part.capacity, partSize);
  const first = part.take();
  assert.equal(first.length, partSize);
  assert.equal(first[3 * MiB + 5], chunk[5]);
  // The rest of the chunk starts the next part, which takes the whole part size: the file is large.
  assert.equal(part.fill(chunk, 2 * MiB), MiB);
  assert.equal(part.capacity, partSize);
  assert.equal(part.take()[0], chunk[2 * MiB]);
});
