// This module is browser compatible.

/**
 * Compression codecs for writing. Each compressor is pure JavaScript or WebAssembly, so files can be
 * written where no Node.js API exists; a codec's library is loaded only when that codec is used. Where
 * WebAssembly may not be compiled at run time (Cloudflare Workers), SNAPPY falls back to JavaScript, GZIP
 * and UNCOMPRESSED need none, and ZSTD and BROTLI take the runtime's own `node:zlib` where it has one
 * (workerd with `nodejs_compat`), reached without a static `node:` import; elsewhere they are refused with
 * an error that says so. hyparquet reads every one of them back (`src/read/decompressors.ts`).
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
 * import { CODECS } from "@parquet-storage/engine/write";
 * console.assert(CODECS.includes("ZSTD"));
 * ```
 */
export const CODECS: readonly Codec[] = ["UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"];

/** The compression levels a codec takes: the lowest, the highest, and the one used when none is given. */
export interface LevelRange {
  /** The lowest level. */
  min: number;
  /** The highest level. */
  max: number;
  /** The level used when none is given. */
  default: number;
}

/**
 * The codecs that take a compression level, and their ranges: GZIP as zlib (6, zlib's, parquet-mr's and
 * DuckDB's default), ZSTD's positive levels (3, zstd's and DuckDB's default), BROTLI's qualities (4, a
 * writer's trade-off: 11 is tens of times slower). SNAPPY and UNCOMPRESSED have none.
 *
 * @example
 * ```ts
 * import { COMPRESSION_LEVELS } from "./codecs.ts";
 * console.assert(COMPRESSION_LEVELS.ZSTD?.max === 22 && COMPRESSION_LEVELS.SNAPPY === undefined);
 * ```
 */
export const COMPRESSION_LEVELS: Partial<Record<Codec, LevelRange>> = {
  GZIP: { min: 0, max: 9, default: 6 },
  ZSTD: { min: 1, max: 22, default: 3 },
  BROTLI: { min: 0, max: 11, default: 4 },
};

/**
 * Checks a compression level for `codec`: an integer in the codec's range, and a codec that has levels.
 *
 * @throws {ParquetStorageError} naming the codec, its range and the value seen.
 * @example
 * ```ts
 * import { checkCompressionLevel } from "./codecs.ts";
 * console.assert(checkCompressionLevel("ZSTD", 19) === 19);
 * ```
 */
export function checkCompressionLevel(codec: Codec, level: unknown): number {
  const range = COMPRESSION_LEVELS[codec];
  if (!range) {
    const having = Object.keys(COMPRESSION_LEVELS).join(", ");
    throw new ParquetStorageError(
      `Cannot set a compression level for ${codec}: it has none (only ${having} do): current value is ${level}`,
    );
  }
  if (!(typeof level === "number" && Number.isInteger(level) && level >= range.min && level <= range.max)) {
    throw new ParquetStorageError(
      `Cannot compress with ${codec} at level ${level}: its levels are integers from ${range.min} to ${range.max}`,
    );
  }
  return level;
}

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
export async function loadCompressors(codec: Codec, level?: number): Promise<Record<string, Compressor>> {
  const name = parseCodec(codec);
  const at = level === undefined ? COMPRESSION_LEVELS[name]?.default : checkCompressionLevel(name, level);
  let compressors = loaded.get(name);
  if (!compressors) {
    loaded.set(name, compressors = load(name));
    compressors.catch(() => loaded.delete(name)); // a failed load is tried again next time
  }
  const make = await compressors;
  return make(at ?? 0);
}

/**
 * Compressors, loaded once per process and codec: a WebAssembly compressor is instantiated once, not
 * per file. For zstd this is also what keeps it correct: each @bokuweb/zstd-wasm `init()` instantiates
 * its WebAssembly again, and one finishing while a file is being compressed swapped the module under
 * the compressor (the pages it wrote then were not valid zstd).
 */
const loaded = new Map<Codec, Promise<(level: number) => Record<string, Compressor>>>();

/** Loads a codec's library (once), giving its compressor at a level (for codecs that have levels). */
async function load(codec: Codec): Promise<(level: number) => Record<string, Compressor>> {
  switch (codec) {
    case "SNAPPY": {
      try {
        const { snappyCompressor } = await import("hysnappy");
        const compress = snappyCompressor();
        return () => ({ SNAPPY: compress });
      } catch (error) {
        if (!(error instanceof WebAssembly.CompileError)) throw error;
        // A runtime that forbids compiling WebAssembly from bytes (Cloudflare Workers) still gets snappy,
        // SNAPPY being the default: hyparquet-writer's JavaScript one, half as fast.
        const { snappyCompress } = await import("hyparquet-writer/src/snappy.js");
        return () => ({ SNAPPY: snappyCompress });
      }
    }
    case "GZIP": {
      const { gzipSync } = await import("fflate");
      // mtime 0 keeps a file the same bytes from run to run.
      return (level) => ({
        GZIP: (input) => gzipSync(input, { level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mtime: 0 }),
      });
    }
    case "ZSTD": {
      const zstd = await loadWasmCodec(codec, async () => {
        const { loadZstdWasm } = await import("./zstd_wasm.ts");
        return await loadZstdWasm();
      }).catch((error) => {
        // Where WebAssembly may not be compiled (workerd), the runtime's own zstd, if it has one.
        const zlib = nodeZlib();
        if (!zlib?.zstdCompressSync) throw error;
        return { compress: (input: Uint8Array, level: number) => compressNodeZstd(zlib, input, level) };
      });
      return (level) => ({ ZSTD: (input) => zstd.compress(input, level) });
    }
    case "BROTLI": {
      const brotli = await loadWasmCodec(codec, async () => await (await import("brotli-wasm")).default)
        .catch((error) => {
          // brotli-wasm's ES module fetches its WebAssembly from a file: URL, which Node.js's fetch
          // cannot do, and workerd compiles no WebAssembly from bytes; both have brotli in node:zlib
          // (workerd with nodejs_compat), reached without a static node: import.
          const zlib = nodeZlib();
          if (!zlib) throw error;
          return {
            compress: (input: Uint8Array, { quality }: { quality: number }) =>
              compressNode(zlib, input, quality),
          };
        });
      return (quality) => ({ BROTLI: (input) => brotli.compress(input, { quality }) });
    }
    default:
      return () => ({});
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
      }), and the runtime has no node:zlib ${codec.toLowerCase()} to take instead (${
        codec === "ZSTD" ? "Node.js has one from 22.15; " : ""
      }in Cloudflare Workers, enable the nodejs_compat compatibility flag). SNAPPY, GZIP and UNCOMPRESSED ` +
        `need no WebAssembly.`,
      { cause },
    );
  }
}

interface NodeZlib {
  brotliCompressSync(input: Uint8Array, options: { params: Record<number, number> }): Uint8Array;
  /** Node.js 22.15 and later, workerd with nodejs_compat. */
  zstdCompressSync?(input: Uint8Array, options: { params: Record<number, number> }): Uint8Array;
  constants: {
    BROTLI_PARAM_QUALITY: number;
    BROTLI_PARAM_SIZE_HINT: number;
    ZSTD_c_compressionLevel?: number;
  };
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

function compressNodeZstd(zlib: NodeZlib, input: Uint8Array, level: number): Uint8Array {
  const out = zlib.zstdCompressSync!(input, { params: { [zlib.constants.ZSTD_c_compressionLevel!]: level } });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
