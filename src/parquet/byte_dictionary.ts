// This module is browser compatible.

/**
 * A Parquet dictionary under construction: distinct values kept as bytes (each value's PLAIN payload,
 * without BYTE_ARRAY's length prefix), found again by an open-addressing hash table. No string and no
 * object is made per value, which is what makes dictionary encoding affordable on the COPY path.
 *
 * @module
 */

const EMPTY = 0;

/** Distinct byte strings, numbered in order of first appearance. */
export class ByteDictionary {
  /** The distinct values' bytes, back to back. */
  arena: Uint8Array = new Uint8Array(64 * 1024);
  /** Bytes of `arena` in use. */
  arenaLength = 0;
  /** Where entry `i` starts in `arena`. */
  starts: Int32Array = new Int32Array(1024);
  /** Entry `i`'s length in bytes. */
  lengths: Int32Array = new Int32Array(1024);
  /** Distinct values so far. */
  count = 0;
  #hashes = new Int32Array(1024);
  // Slot → entry + 1 (0 is empty); a power of two, kept at most half full.
  #slots = new Int32Array(2048);
  #mask = 2047;

  /** Forgets every entry, keeping the memory for the next row group. */
  clear(): void {
    this.arenaLength = 0;
    if (this.count) this.#slots.fill(EMPTY);
    this.count = 0;
  }

  /** The index of `bytes[at, at + length)`, added if new. */
  add(bytes: Uint8Array, at: number, length: number): number {
    const hash = hashBytes(bytes, at, length);
    const mask = this.#mask, slots = this.#slots, arena = this.arena;
    let slot = hash & mask;
    for (;;) {
      const entry = slots[slot] - 1;
      if (entry < 0) break;
      if (this.#hashes[entry] === hash && this.lengths[entry] === length) {
        const start = this.starts[entry];
        let i = 0;
        while (i < length && arena[start + i] === bytes[at + i]) i++;
        if (i === length) return entry;
      }
      slot = (slot + 1) & mask;
    }
    return this.#insert(slot, hash, bytes, at, length);
  }

  #insert(slot: number, hash: number, bytes: Uint8Array, at: number, length: number): number {
    const entry = this.count++;
    if (entry === this.starts.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
      this.#hashes = grown(this.#hashes);
    }
    if (this.arenaLength + length > this.arena.length) {
      const arena = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLength + length));
      arena.set(this.arena.subarray(0, this.arenaLength));
      this.arena = arena;
    }
    this.arena.set(bytes.subarray(at, at + length), this.arenaLength);
    this.starts[entry] = this.arenaLength;
    this.lengths[entry] = length;
    this.#hashes[entry] = hash;
    this.arenaLength += length;
    this.#slots[slot] = entry + 1;
    if (this.count * 2 > this.#slots.length) this.#rehash();
    return entry;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.#hashes[entry] & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.#slots = slots;
    this.#mask = mask;
  }
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(array.length * 2);
  next.set(array);
  return next;
}

/** A 32-bit multiplicative hash of a byte range, four bytes at a time. */
function hashBytes(bytes: Uint8Array, at: number, length: number): number {
  let h = Math.imul(length, 0x9e3779b1);
  const end = at + length;
  let i = at;
  for (; i + 4 <= end; i += 4) {
    const word = bytes[i] | bytes[i + 1] << 8 | bytes[i + 2] << 16 | bytes[i + 3] << 24;
    h = Math.imul(h ^ word, 0x85ebca6b);
    h ^= h >>> 13;
  }
  for (; i < end; i++) h = Math.imul(h ^ bytes[i], 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.imul(h, 0x27d4eb2f) ^ (h >>> 15);
}
