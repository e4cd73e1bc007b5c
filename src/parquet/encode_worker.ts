// This module is browser compatible.

/**
 * The worker behind `workerEncoder`: receives the file's settings, then row groups as detached column
 * buffers, and posts back each one's bytes and column metadata, in order.
 *
 * @module
 */

import { ColumnBuffer, type ColumnState } from "./column_buffer.ts";
import { type EncodedRowGroup, type RowGroupSettings, stateEncoder } from "./row_group_encoder.ts";

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let encoder: Promise<(buffers: ColumnBuffer[]) => EncodedRowGroup> | undefined;
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event: MessageEvent<{ settings?: RowGroupSettings; states?: ColumnState[] }>) => {
  const { settings, states } = event.data;
  if (settings) encoder = stateEncoder(settings);
  else {
    queue = queue.then(async () => {
      try {
        const group = (await encoder!)(states!.map((state) => ColumnBuffer.restore(state)));
        // Parts may share a buffer (a long page's snappy pieces): each buffer is transferred once.
        scope.postMessage(group, [...new Set(group.parts.map((part) => part.buffer as ArrayBuffer))]);
      } catch (error) {
        const { name, message } = error as Error;
        scope.postMessage({ error: { name, message } });
      }
    });
  }
};
