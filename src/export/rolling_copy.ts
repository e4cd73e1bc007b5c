/**
 * `--max-file-size` on the binary COPY path: one COPY, one encoder, several files. The encoder's row
 * groups go to a {@link RollingFileWriter}, which completes a file (its footer) once the file has reached
 * the size and starts the next one with the following row group, its offsets moved to the new file. The
 * bytes of all files come out as one stream; the file boundaries are known by byte offset, and the sink of
 * each file is opened as its first byte comes.
 *
 * @module
 */

import type { BatchWriter } from "./batch_writer.ts";
import type { ManifestFile, ManifestTable } from "../read/manifest.ts";
import type { ParquetFileWriter } from "../parquet/file_writer.ts";
import type { EncodedRowGroup } from "../parquet/row_group_encoder.ts";
import { copyBinaryToParquet, type FileOpener } from "./copy_to_parquet.ts";
import { copyBinaryStatement } from "../postgres/copy_binary.ts";
import type { CopySql, CopyTableOptions } from "./copy_table.ts";
import { openCopy } from "../postgres/copy_out.ts";
import { sourceError } from "../postgres/table_source.ts";
import type { TableDefinition } from "../schema/table.ts";
import { parquetFileName, safeName } from "../sinks/file_name.ts";
import { ProgressCounter } from "../streams/progress.ts";
import { filePipeline, type PipedFile } from "./pipeline.ts";

/** The frame of one file, as the encoders drive it. */
type FileFrame = Pick<ParquetFileWriter, "append" | "finish" | "offset" | "rows">;

/**
 * Files of about `maxBytes` at most around a run of row groups encoded as one file: a file that has
 * reached the size is finished before the next row group, which opens the next file. Offsets in a row
 * group's metadata are moved to where it lands.
 *
 * @example
 * ```ts ignore
 * const rolling = new RollingFileWriter(() => openFileWriter(table, schema, settings, emit), 256 * 2 ** 20);
 * ```
 */
export class RollingFileWriter {
  /** Rows of each file, completed or open. */
  readonly files: number[] = [0];
  /** Where each file after the first begins, in bytes emitted over all files. */
  readonly starts: number[] = [];
  #open: () => FileFrame;
  #maxBytes: number;
  #current: FileFrame;
  #finished = 0;

  /** Opens the first file at once (a table of no rows is one file with its schema). */
  constructor(open: () => FileFrame, maxBytes: number) {
    this.#open = open;
    this.#maxBytes = maxBytes;
    this.#current = open();
  }

  /** Appends a row group, to a new file when the current one has reached the size. */
  append(group: EncodedRowGroup, rows: number): void {
    if (this.#current.rows > 0 && this.#current.offset >= this.#maxBytes) {
      this.#current.finish();
      this.#finished += this.#current.offset;
      // Known before the next file's first byte is emitted: the reader opens its sink there.
      this.starts.push(this.#finished);
      this.#current = this.#open();
      this.files.push(0);
    }
    const first = group.columns[0]?.file_offset;
    if (first !== undefined) moveGroup(group, first - BigInt(this.#current.offset));
    this.#current.append(group, rows);
    this.files[this.files.length - 1] += rows;
  }

  /** Finishes the last file. */
  finish(): void {
    this.#current.finish();
  }
}

/** Moves a row group's offsets `delta` bytes earlier. */
function moveGroup(group: EncodedRowGroup, delta: bigint): void {
  if (delta === 0n) return;
  for (const column of group.columns) {
    column.file_offset -= delta;
    const meta = column.meta_data;
    if (!meta) continue;
    meta.data_page_offset -= delta;
    if (meta.dictionary_page_offset !== undefined) meta.dictionary_page_offset -= delta;
    if (meta.index_page_offset !== undefined) meta.index_page_offset -= delta;
  }
}

/**
 * Options of {@link writeTableByCopyRolling}: those of a whole-table COPY (progress is called every 250 ms;
 * on `signal`, the open file is aborted and the files already completed are removed), and the size.
 */
export interface RollingCopyOptions extends Omit<CopyTableOptions, "progressInterval"> {
  /** Bytes a file reaches before the next is begun. */
  maxFileBytes: number;
}

/**
 * Writes a whole table through binary COPY as files of about `maxFileBytes` at most, rolling over at
 * row-group boundaries, every file recorded in the batch.
 *
 * @example
 * ```ts ignore
 * const entry = await writeTableByCopyRolling(tx, batch, table, { maxFileBytes: 256 * 2 ** 20 });
 * ```
 */
export async function writeTableByCopyRolling(
  sql: CopySql,
  batch: BatchWriter,
  table: TableDefinition,
  options: RollingCopyOptions,
): Promise<ManifestTable> {
  const {
    maxFileBytes,
    schema = "public",
    since,
    statement = copyBinaryStatement(table, schema, table.name, since),
    mode = "full",
    onProgress,
    progress = new ProgressCounter(),
    signal,
    idleTimeout,
    onStall,
    ...encode
  } = options;
  signal?.throwIfAborted();
  const storage = await batch.storage();
  const folder = storage.join(batch.root, safeName(table.name));
  const copy = await openCopy(sql.unsafe(statement), { idleTimeout, onStall, table: table.name });
  let rolling: RollingFileWriter | undefined;
  const openFile: FileOpener = (open) => rolling = new RollingFileWriter(open, maxFileBytes);
  const done: ManifestFile[] = [];
  let current: { writer: WritableStreamDefaultWriter<Uint8Array>; done: Promise<PipedFile> } | undefined;
  const close = async () => {
    const open = current!;
    current = undefined;
    await open.writer.close();
    const file = await open.done;
    done.push({ path: batch.relative(file.location), rows: 0, bytes: file.bytes, sha256: file.sha256! });
  };
  const timer = onProgress && setInterval(() => onProgress(progress.rows, progress.bytes), 250);
  try {
    const encoded = copyBinaryToParquet(copy.chunks, table, { ...encode, progress, openFile });
    const reader = encoded.stream.getReader();
    let offset = 0;
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      signal?.throwIfAborted();
      if (current && rolling!.starts.includes(offset)) await close();
      if (!current) {
        const location = storage.join(folder, parquetFileName(table.name));
        const pipe = filePipeline(storage, location, { progress, signal });
        current = { writer: pipe.writable.getWriter(), done: pipe.done };
      }
      offset += next.value.length;
      await current.writer.write(next.value);
    }
    await close();
    rolling!.files.forEach((rows, i) => done[i].rows = rows);
  } catch (error) {
    await copy.stop();
    await current?.writer.abort(error).catch(() => {});
    await current?.done.catch(() => {});
    await Promise.all(done.map((f) => storage.remove(`${batch.root}/${f.path}`).catch(() => {})));
    throw signal?.aborted ? sourceError(table.name, signal.reason) : error;
  } finally {
    clearInterval(timer);
  }
  await copy.end();
  return batch.record(table, done, { mode });
}
