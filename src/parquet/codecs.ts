// This module is browser compatible.

/**
 * Compression codecs for writing. Each compressor is pure JavaScript or WebAssembly, so files can be
 * written where no Node.js API exists; a codec's library is loaded only when that codec is used. Where
 * WebAssembly may not be compiled at run time (Cloudflare Workers), SNAPPY falls back to JavaScript, GZIP
 * and UNCOMPRESSED need none, and ZSTD and BROTLI are refused with an error that says so. hyparquet reads
 * every one of them back (`src/read/decompressors.ts`).
 *
 * @module
 */

import { ParquetStorageError } from "../errors.ts";

/** A Parquet compression codec this library writes. */
export type Codec = "UNCOMPRESSED" | "SNAPPY" | "GZIP" | "ZSTD" | "BROTLI";

/**
 * Every codec this library writes, in the order the CLI lists them.
 *
 * @example
 * ```ts
 * import { CODECS } from "@parquet-storage/engine";
 * console.assert(CODECS.includes("ZSTD"));
 * ```
 */
export const CODECS: readonly Codec[] = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"];

/** A block compressor, as hyparquet-writer takes it. */
export type Compressor = (input: Uint8Array) => Uint8Array;

/**
 * Checks a codec name, as a user may type it (any case), and returns it as Parquet names it.
 *
 * @example
 * ```ts
 * import { parseCodec } from "./codecs.ts";
 * console.assert(parseCodec("zstd") === "ZSTD");
 * ```
 */
export function parseCodec(codec: unknown): Codec {
  const name = typeof codec === "string" ? codec.toUpperCase() : codec;
  if (!(CODECS as readonly unknown[]).includes(name)) {
    throw new ParquetStorageError(
      `Cannot compress with codec ${JSON.stringify(codec)}: expected one of ${CODECS.join(", ")}`,
    );
  }
  return name as Codec;
}

/**
 * The compressor for `codec`, keyed by codec name (as hyparquet-writer takes it); empty for
 * UNCOMPRESSED. Asynchronous because the WebAssembly compressors must be instantiated before their first
 * synchronous call; that happens once per process and codec. Snappy is hysnappy's WebAssembly build,
 * twice as fast as hyparquet-writer's JavaScript one on table data (3 ms against 6 ms per MiB here).
 *
 * @example
 * ```ts
 * import { loadCompressors } from "./codecs.ts";
 * const { GZIP } = await loadCompressors("GZIP");
 * console.assert(GZIP(new Uint8Array(100))[0] === 0x1f);
 * ```
 */
export async function loadCompressors(codec: Codec): Promise<Record<string, Compressor>> {
  const name = parseCodec(codec);
  let compressors = loaded.get(name);
  if (!compressors) {
    loaded.set(name, compressors = load(name));
    compressors.catch(() => loaded.delete(name)); // a failed load is tried again next time
  }
  return await compressors;
}

/**
 * Compressors, loaded once per process and codec: a WebAssembly compressor is instantiated once, not
 * per file. For zstd this is also what keeps it correct: each @bokuweb/zstd-wasm `init()` instantiates
 * its WebAssembly again, and one finishing while a file is being compressed swapped the module under
 * the compressor (the pages it wrote then were not valid zstd).
 */
const loaded = new Map<Codec, Promise<Record<string, Compressor>>>();

async function load(codec: Codec): Promise<Record<string, Compressor>> {
  switch (codec) {
    case "SNAPPY": {
      try {
        const { snappyCompressor } = await import("hysnappy");
        return { SNAPPY: snappyCompressor() };
      } catch (error) {
        if (!(error instanceof WebAssembly.CompileError)) throw error;
        // A runtime that forbids compiling WebAssembly from bytes (Cloudflare Workers) still gets snappy,
        // SNAPPY being the default: hyparquet-writer's JavaScript one, half as fast.
        const { snappyCompress } = await import("hyparquet-writer/src/snappy.js");
        return { SNAPPY: snappyCompress };
      }
    }
    case "GZIP": {
      const { gzipSync } = await import("fflate");
      // Level 6 is zlib's (and so parquet-mr's and DuckDB's) default; mtime 0 keeps a file the same
      // bytes from run to run.
      return { GZIP: (input) => gzipSync(input, { level: 6, mtime: 0 }) };
    }
    case "ZSTD": {
      const zstd = await loadWasmCodec(codec, async () => {
        const zstd = await import("@bokuweb/zstd-wasm");
        await zstd.init();
        return zstd;
      });
      // Level 3 is zstd's own default, and DuckDB's.
      return { ZSTD: (input) => zstd.compress(input, 3) };
    }
    case "BROTLI": {
      const brotli = await loadWasmCodec(codec, async () => await (await import("brotli-wasm")).default)
        .catch((error) => {
          // brotli-wasm's ES module fetches its WebAssembly from a file: URL, which Node.js's fetch
          // cannot do; Node.js has brotli built in, reached without a static node: import.
          const zlib = nodeZlib();
          if (!zlib) throw error;
          return {
            compress: (input: Uint8Array, { quality }: { quality: number }) =>
              compressNode(zlib, input, quality),
          };
        });
      // Quality 4 is a writer's speed/size trade-off (11, brotli's maximum, is tens of times slower).
      return { BROTLI: (input) => brotli.compress(input, { quality: 4 }) };
    }
    default:
      return {};
  }
}

/** Loads a codec that exists only as WebAssembly, with an error that says which codecs need none. */
async function loadWasmCodec<T>(codec: Codec, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    throw new ParquetStorageError(
      `Cannot compress with ${codec} in this runtime: its WebAssembly did not load (${
        (cause as Error)?.message ?? cause
      }). SNAPPY, GZIP and UNCOMPRESSED need no WebAssembly.`,
      { cause },
    );
  }
}

interface NodeZlib {
  brotliCompressSync(input: Uint8Array, options: { params: Record<number, number> }): Uint8Array;
  constants: { BROTLI_PARAM_QUALITY: number; BROTLI_PARAM_SIZE_HINT: number };
}

function nodeZlib(): NodeZlib | undefined {
  const runtime = globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } };
  return runtime.process?.getBuiltinModule?.("node:zlib") as NodeZlib | undefined;
}

function compressNode(zlib: NodeZlib, input: Uint8Array, quality: number): Uint8Array {
  const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  const out = zlib.brotliCompressSync(input, {
    params: { [BROTLI_PARAM_QUALITY]: quality, [BROTLI_PARAM_SIZE_HINT]: input.length },
  });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
