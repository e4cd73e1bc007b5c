// This module is browser compatible.

/**
 * The bytes of the next multipart part, taken as they arrive: the first part's buffer starts small and
 * doubles up to the part size, so a small file never holds a whole part (8 MiB by default); once one
 * part has filled, the file is large and each next part takes the part size at once, without copies.
 *
 * @module
 */

/** The smallest buffer taken, so that a stream of tiny chunks does not copy at every write. */
const FIRST_CAPACITY = 64 * 1024;

/** A part being filled, at most `partSize` bytes. */
export class PartBuffer {
  readonly partSize: number;
  #bytes: Uint8Array = new Uint8Array(0);
  #filled = 0;
  #large = false;

  constructor(partSize: number) {
    this.partSize = partSize;
  }

  /** Bytes held. */
  get filled(): number {
    return this.#filled;
  }

  /** Bytes the buffer has taken from memory so far (at most `partSize`). */
  get capacity(): number {
    return this.#bytes.length;
  }

  /** True once the part holds `partSize` bytes. */
  get full(): boolean {
    return this.#filled === this.partSize;
  }

  /** Copies as much of `chunk` from `offset` as the part has room for; returns the count copied. */
  fill(chunk: Uint8Array, offset: number): number {
    const count = Math.min(chunk.length - offset, this.partSize - this.#filled);
    const need = this.#filled + count;
    if (need > this.#bytes.length) {
      const grown = new Uint8Array(
        this.#large
          ? this.partSize
          : Math.min(this.partSize, Math.max(need, FIRST_CAPACITY, this.#bytes.length * 2)),
      );
      grown.set(this.#bytes.subarray(0, this.#filled));
      this.#bytes = grown;
    }
    this.#bytes.set(chunk.subarray(offset, offset + count), this.#filled);
    this.#filled = need;
    return count;
  }

  /** The bytes held, handed over; the buffer starts again empty (a new part takes new memory). */
  take(): Uint8Array {
    const body = this.#bytes.subarray(0, this.#filled);
    if (this.full) this.#large = true;
    this.#bytes = new Uint8Array(0);
    this.#filled = 0;
    return body;
  }
}
