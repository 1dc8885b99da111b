// What tcp:// and unix:// share: the socket callbacks that drive StreamConnection, and their drain.
import type { SocketHandler, TCPSocketListener, UnixSocketListener } from "bun";
import { loadProtocol } from "../../protocols/load-protocol.ts";
import type { Protocol } from "../../protocols/protocol.ts";
import { endsBy, type DrainOptions } from "../listener.ts";
import type { WorkerRuntime } from "../runtime.ts";
import { ConnectionGate } from "../connection-gate.ts";
import { StreamConnection } from "../stream-connection.ts";
import { idleSweepFor } from "./idle-sweep.ts";

export interface Framing {
  name: string;
  protocol: Protocol | null;
}

/** text:// and frame:// imply their protocol; tcp:// and unix:// take `protocol` from app.json or stay raw. */
export async function framingFor(runtime: WorkerRuntime): Promise<Framing> {
  const { scheme } = runtime.config.listen;
  const name = scheme === "text" || scheme === "frame" ? scheme : runtime.config.protocol;
  if (!name) return { name: scheme, protocol: null };
  const label = name.includes("/")
    ? name
        .split("/")
        .pop()!
        .replace(/\.[cm]?[jt]s$/, "")
    : name;
  return { name: label, protocol: await loadProtocol(name) };
}

export function streamSocketHandler(runtime: WorkerRuntime, framing: Framing, localPort: number): SocketHandler<StreamConnection> {
  // A unix peer has no address of its own (Bun gives undefined): name the socket it came through instead.
  const unixPeer = runtime.config.listen.scheme === "unix" ? `unix:${runtime.config.listen.path}` : "";
  const idle = idleSweepFor(runtime, framing.protocol !== null);
  const gate = new ConnectionGate(runtime.config, runtime.counters);
  // Without a per-address limit the address is not needed to release: no string made per close.
  const byAddress = gate.perIp > 0;
  return {
    open(socket) {
      const remoteAddress = socket.remoteAddress || unixPeer;
      // Closed before any handler sees it: a process never reaches the open-files limit, where Bun's accept loop spins.
      if (gate.admit(remoteAddress) !== null) return void socket.terminate();
      socket.data = new StreamConnection(runtime, socket, framing.name, framing.protocol, {
        remoteAddress,
        remotePort: socket.remotePort || 0,
        localPort,
      });
      idle?.opened();
    },
    data(socket, chunk) {
      socket.data.onData(chunk);
    },
    drain(socket) {
      socket.data.onDrain();
    },
    close(socket) {
      if (!socket.data) return;
      gate.release(byAddress ? socket.data.remoteAddress : "");
      socket.data.onClosed();
      idle?.closed();
    },
    error(socket, error) {
      if (socket.data) runtime.reportProtocolError(socket.data, error);
    },
  };
}

export async function drainStreamListener(
  listener: TCPSocketListener<StreamConnection> | UnixSocketListener<StreamConnection>,
  runtime: WorkerRuntime,
  options: DrainOptions,
): Promise<void> {
  listener.stop(false);
  const empty = runtime.connections.whenEmpty();
  if (await endsBy(empty, options.graceful ? options.gracefulTimeoutMs : options.stopTimeoutMs)) return;
  for (const conn of runtime.connections.values()) conn.close();
  if (!(await endsBy(empty, 500))) for (const conn of runtime.connections.values()) conn.destroy();
}
