// This module is browser compatible.

/**
 * The column buffers of a partitioned binary COPY's open partitions, handed from partition to partition
 * rather than each partition growing its own: at a cut every partition's emptied buffers come back and
 * go to the partitions rows come to next (those none took by the next cut are dropped), and rows
 * clustered by partition (as by time) pass one set on, when a long run of one partition's rows ends and
 * that partition alone holds buffers: its row group is closed (the decoder hands it back to be written,
 * and routes the tuple again) and its buffers go to the next partition. Such a table then holds one row
 * group's buffers, not two (the one ending and the one starting, each grown to a row group).
 *
 * @module
 */

import type { ColumnBuffer } from "../parquet/column_buffer.ts";
import type { CopyColumns } from "../postgres/copy_binary.ts";
import type { FileFacts } from "../schema/kinds/kind.ts";

/** A partition as far as its buffers go: its row group being built (if any), and its file's facts. */
export interface BufferHolder {
  columns: CopyColumns | undefined;
  facts: FileFacts;
}

/** Makes a partition's row group, in `buffers` if given (emptied ones of the same schema). */
export type ColumnsMaker = (facts: FileFacts, buffers?: ColumnBuffer[]) => CopyColumns;

/** The buffers of one partitioned COPY's partitions. */
export class PartitionBuffers {
  #make: ColumnsMaker;
  #longRun: number;
  #spare: ColumnBuffer[][] = [];
  /** Tuples in a row that went to one partition, and in the run before. */
  #run = 0;
  #lastRun = 0;

  /** `longRun`: the tuples in a row after which a partition's buffers are handed on when its run ends. */
  constructor(make: ColumnsMaker, longRun: number) {
    this.#make = make;
    this.#longRun = longRun;
  }

  /** Counts a tuple routed: to the partition of the tuple before (`same`), or to another. */
  routed(same: boolean): void {
    if (same) this.#run++;
    else {
      this.#lastRun = this.#run;
      this.#run = 1;
    }
  }

  /**
   * The row group `part`'s tuple goes to: its own, one made in spare buffers or in the buffers of the
   * only other partition holding some (after a long run), or that partition's, closed, to be written
   * before the tuple is routed again. `holders` are the open partitions.
   */
  columnsOf(part: BufferHolder, holders: Iterable<BufferHolder>): CopyColumns {
    if (part.columns) return part.columns;
    let buffers = this.#spare.pop();
    if (!buffers && this.#lastRun >= this.#longRun) {
      const holding = [...holders].filter((p) => p.columns);
      const holder = holding.length === 1 && holding[0] !== part ? holding[0] : undefined;
      const held = holder?.columns;
      if (held?.rows) {
        held.closed = true;
        return held;
      }
      if (holder && held) {
        buffers = held.buffers;
        holder.columns = undefined;
      }
    }
    return part.columns = this.#make(part.facts, buffers);
  }

  /** Takes back the buffers of `parts`, all just written (their row groups empty), at a cut. */
  cut(parts: Iterable<BufferHolder>): void {
    const given: ColumnBuffer[][] = [];
    for (const part of parts) {
      if (part.columns) given.push(part.columns.buffers);
      part.columns = undefined;
    }
    this.#spare = given;
  }
}
