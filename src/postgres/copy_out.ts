/**
 * A `COPY … TO STDOUT` being read from postgres.js: its bytes in batches, and a way to leave it early
 * that leaves the connection usable.
 *
 * postgres.js hands over one chunk per row (one CopyData message each). Awaiting them one by one costs
 * a promise per row; here they are taken as they arrive, through the stream's `data` events, and handed
 * on joined, as much as has arrived, with the stream paused while 256 KiB wait.
 *
 * @module
 */

import { checkedTimeout, type IdleGuard, stallError, withIdleTimeout } from "./idle_timeout.ts";

/** What {@link openCopy} needs of a postgres.js query: its COPY stream, and a way to stop it. */
export interface CopyQuery {
  readable(): Promise<AsyncIterable<Uint8Array>>;
  cancel(): unknown;
}

/** The parts of postgres.js's stream (a Node.js Readable) read here. */
interface CopyStream {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end" | "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  _read?(): void;
}

/** A COPY … TO STDOUT being read. */
export interface CopyOut {
  /** The COPY's bytes, in batches of what has arrived; a batch is valid until the one after next is taken. */
  chunks: AsyncIterable<Uint8Array>;
  /** Reads the COPY to its end (after its trailer only the end of the COPY is left). */
  end(): Promise<void>;
  /** Ends the COPY early if it is still running: cancelled, the rest read and dropped. Never throws. */
  stop(): Promise<void>;
}

/** Bytes waiting to be read before the stream is paused. */
const WAITING_BYTES = 256 * 1024;

/**
 * Opens a COPY's stream so that it can be left early without leaving the connection mid-COPY: closing
 * postgres.js's stream would stop reading the socket with the COPY still running, and every later
 * query on the connection would wait forever. An iterator's `return` stops the COPY instead. When
 * PostgreSQL sends nothing for `guard.idleTimeout` ms, the COPY fails with a `SourceError` and
 * `guard.onStall` is called to close the stuck connection.
 */
export async function openCopy(
  query: CopyQuery,
  guard: IdleGuard & { table?: string } = {},
): Promise<CopyOut> {
  const idleMs = checkedTimeout(guard.idleTimeout, guard.table);
  const stream = await withIdleTimeout(
    query.readable(),
    guard,
    "starting a COPY",
    guard.table,
  ) as unknown as CopyStream;
  const waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  let ended = false;
  let failure: Error | undefined;
  let discard = false;
  let wake: (() => void) | undefined;
  // Batches are joined into two buffers in turn: a batch stays valid until the one after next is taken,
  // and no garbage is made per batch.
  const scratch = [{ bytes: new Uint8Array(0) }, { bytes: new Uint8Array(0) }];
  let flip = 0;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  stream.on("data", (chunk) => {
    if (discard) return;
    waiting.push(chunk);
    waitingBytes += chunk.length;
    if (waitingBytes >= WAITING_BYTES) stream.pause();
    notify();
  });
  const finish = () => {
    if (ended) return;
    ended = true;
    resumeSocket(stream);
    notify();
  };
  stream.on("end", finish);
  stream.on("close", finish);
  stream.on("error", (error) => {
    failure ??= error;
    finish();
  });

  // A silent server: the COPY is over for us (nothing will be drained or cancelled on a stuck
  // connection), and onStall closes the connection.
  const stall = () => {
    if (ended) return;
    const error = stallError(idleMs, "sending a COPY", guard.table);
    failure ??= error;
    ended = true;
    notify();
    guard.onStall?.(error);
  };

  /** What has arrived, joined; undefined once the COPY is over. */
  const take = async (): Promise<Uint8Array | undefined> => {
    while (!waiting.length) {
      if (ended) {
        if (failure) throw failure;
        return undefined;
      }
      // Only while waiting for PostgreSQL: a consumer busy encoding or uploading is not a silent server.
      const timer = setTimeout(stall, idleMs);
      await new Promise<void>((resolve) => wake = resolve);
      clearTimeout(timer);
    }
    const batch = waiting.length === 1 ? waiting[0] : join(waiting, waitingBytes, scratch[flip ^= 1]);
    waiting.length = 0;
    waitingBytes = 0;
    stream.resume();
    return batch;
  };

  let stopping: Promise<void> | undefined;
  let reading: Promise<unknown> = Promise.resolve();
  const drain = async () => {
    discard = true;
    waiting.length = 0;
    stream.resume();
    while (!ended) await new Promise<void>((resolve) => wake = resolve);
  };
  const stop = async () => {
    await reading.catch(() => {});
    if (ended) return;
    const cancelled = cancelCopy(query);
    // The cancel's own error ("canceling statement due to user request") ends the COPY as well.
    await drain();
    // Once the cancel request is done, PostgreSQL has signalled the backend, now idle: it drops the
    // signal, rather than cancelling the next statement.
    await cancelled;
  };
  const chunks: AsyncIterableIterator<Uint8Array> = {
    next: () =>
      (reading = stopping ? Promise.resolve(undefined) : take()).then((value) =>
        value ? { done: false, value } : { done: true, value: undefined }
      ) as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await (stopping ??= stop());
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => chunks,
  };
  return {
    chunks,
    end: async () => {
      await reading.catch(() => {});
      if (!ended && !stopping) await drain();
    },
    stop: () => stopping ??= stop(),
  };
}

function join(chunks: Uint8Array[], length: number, scratch: { bytes: Uint8Array }): Uint8Array {
  if (scratch.bytes.length < length) scratch.bytes = new Uint8Array(Math.max(length, 2 * WAITING_BYTES));
  const joined = scratch.bytes.subarray(0, length);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}

/**
 * Asks PostgreSQL to cancel the COPY; resolves (never rejects) once the cancel request is done.
 * postgres.js settles a COPY query as soon as its stream opens, and its `cancel()` then does nothing
 * (it only cancels an active query): the query is marked active again so that the request is sent, and
 * its `canceller` is called directly because `cancel()` drops the request's promise. Should either
 * stop working, the COPY is still read to its end, only later.
 */
async function cancelCopy(query: CopyQuery): Promise<void> {
  const pending = query as CopyQuery & { active?: boolean; canceller?: (query: unknown) => unknown };
  try {
    pending.active = true;
    if (typeof pending.canceller === "function") {
      const canceller = pending.canceller;
      pending.canceller = undefined;
      await canceller(pending);
    } else query.cancel();
  } catch {
    // No cancel: reading the COPY to its end stops it as well.
  }
}

/**
 * postgres.js 3.4.9 pauses the socket when its COPY stream's buffer is full, and resumes it only when
 * the stream is read: when the COPY's last messages arrive with a full buffer, the stream ends with the
 * socket paused, and the next query on the connection never gets its answer
 * (https://github.com/porsager/postgres/issues/499, fix proposed in pull request 1016). The stream's
 * own read hook resumes it.
 */
function resumeSocket(readable: CopyStream): void {
  try {
    readable._read?.();
  } catch {
    // The socket is gone (a lost connection): nothing to resume.
  }
}
