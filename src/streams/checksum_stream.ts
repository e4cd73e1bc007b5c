// This module is browser compatible.

/**
 * A pass-through byte stream that measures what flows: size and SHA-256, for batch manifests.
 *
 * @module
 */

import { createHasher, type Hasher } from "../sinks/hashes.ts";

/** What a {@link ChecksumStream} measured once its input closed. */
export interface Checksum {
  /** Bytes seen. */
  bytes: number;
  /** SHA-256 of the bytes, lowercase hex. */
  sha256: string;
}

/**
 * Passes bytes through unchanged while hashing them (SHA-256 in WebAssembly, or in JavaScript where the
 * runtime forbids compiling WebAssembly, so it runs in Deno, Node.js, browsers and Workers). `result`
 * resolves when the input closes.
 *
 * @example
 * ```ts
 * import { ChecksumStream } from "@parquet-storage/engine/write";
 * const tap = new ChecksumStream();
 * await ReadableStream.from([new TextEncoder().encode("abc")]).pipeThrough(tap).pipeTo(new WritableStream());
 * const { sha256 } = await tap.result;
 * console.assert(sha256.startsWith("ba7816bf"));
 * ```
 */
export class ChecksumStream extends TransformStream<Uint8Array, Uint8Array> {
  /** Size and SHA-256 of everything that passed, once the input has closed. */
  readonly result: Promise<Checksum>;

  /** Builds a pass-through hasher. */
  constructor() {
    let hasher: Hasher;
    let bytes = 0;
    let settle!: (value: Checksum) => void;
    let fail!: (reason: unknown) => void;
    const result = new Promise<Checksum>((resolve, reject) => {
      settle = resolve;
      fail = reject;
    });
    result.catch(() => {}); // a failed write reports its own error; nobody need await this one
    super({
      async start() {
        hasher = await createHasher("sha256");
      },
      transform(chunk, controller) {
        hasher.update(chunk);
        bytes += chunk.length;
        controller.enqueue(chunk);
      },
      flush() {
        settle({ bytes, sha256: hasher.hex() });
      },
      cancel(reason) {
        fail(reason);
      },
    });
    this.result = result;
  }
}
