/**
 * A TCP proxy on 127.0.0.1 that forwards to a real server, then, once a connection has carried a number
 * of bytes in one direction, stops forwarding on it while keeping both sockets open: a peer that is
 * still there but says nothing more, which no TCP keepalive detects.
 *
 * @module
 */

/** A running proxy. */
export interface StallingProxy extends AsyncDisposable {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Connections that have stalled so far. */
  readonly stalls: number;
}

/** Options of {@link stallingProxy}. */
export interface StallOptions {
  /** Bytes a connection forwards in `direction` before it stalls. */
  after: number;
  /** `"download"`: from the server to the client (PostgreSQL sending rows); `"upload"`: the other way. */
  direction: "download" | "upload";
  /** Only the first this many connections stall; later ones forward everything (default: all stall). */
  connections?: number;
}

/** Starts a proxy in front of `127.0.0.1:targetPort`. Connections stall after `after` bytes. */
export function stallingProxy(targetPort: number, options: StallOptions): StallingProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let stalls = 0;
  let accepted = 0;
  const serve = async (client: Deno.Conn) => {
    const after = ++accepted <= (options.connections ?? Infinity) ? options.after : Infinity;
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      client.close();
      return;
    }
    open.add(client).add(server);
    const state = { sent: 0, stalled: false };
    // Stops reading both ways once stalled: the sockets stay open and nothing moves.
    const pump = async (from: Deno.Conn, to: Deno.Conn, counted: boolean) => {
      const buffer = new Uint8Array(64 * 1024);
      try {
        while (!state.stalled) {
          const n = await from.read(buffer);
          if (n === null || state.stalled) break;
          let chunk = buffer.subarray(0, n);
          if (counted && state.sent + n >= after) {
            chunk = chunk.subarray(0, Math.max(0, after - state.sent));
            state.stalled = true;
            stalls++;
          }
          state.sent += counted ? chunk.length : 0;
          for (let at = 0; at < chunk.length;) at += await to.write(chunk.subarray(at));
        }
      } catch {
        // the other side went away
      }
      if (!state.stalled) {
        for (const conn of [from, to]) {
          open.delete(conn);
          try {
            conn.close();
          } catch {
            // already closed
          }
        }
      }
    };
    const download = options.direction === "download";
    await Promise.all([pump(client, server, !download), pump(server, client, download)]);
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) void serve(client);
    } catch {
      // closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    get stalls() {
      return stalls;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      await accepting;
    },
  };
}
