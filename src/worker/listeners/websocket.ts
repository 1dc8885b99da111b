// websocket:// listener: Bun.serve upgrade with SO_REUSEPORT; onWebSocketConnect may refuse a handshake with a Response.
import type { Server } from "bun";
import { AppError } from "../../errors.ts";
import type { ListenerFactory } from "../listener.ts";
import type { WorkerRuntime } from "../runtime.ts";
import { WebSocketConnection } from "../websocket-connection.ts";
import { createAnswer, type Answer } from "../http-answer.ts";
import { listenError, serveOptions } from "./http.ts";
import { ConnectionGate, refusedResponse } from "../connection-gate.ts";
import { HttpDrain } from "./http-drain.ts";

/** RFC 6455 close codes that mean the peer sent something we refuse: protocol error, invalid data, too big. */
const PEER_FAULTS: Record<number, string> = {
  1002: "malformed WebSocket frame",
  1007: "invalid data in a WebSocket message",
  1009: "message over maxPackageSize",
};
/** How Bun names its own idle-timeout close (1006 too): not the peer's fault, so not a protocol error. */
const IDLE_CLOSE = "WebSocket timed out from inactivity";
/** RFC 6455 1001: the endpoint is going away (reload or stop). */
const GOING_AWAY = 1001;

/** A plain HTTP request (not an upgrade) is answered as an http:// group would: static folder, then the handler's fetch. */
async function handshake(
  runtime: WorkerRuntime,
  request: Request,
  server: Server<WebSocketConnection>,
  plainHttp: Answer,
  gate: ConnectionGate,
): Promise<Response | undefined> {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return plainHttp(request, server as Server<unknown>);
  }
  const address = server.requestIP(request);
  const remoteAddress = address?.address ?? "";
  // Refused before anything is made for it; an admitted one is released when its socket closes, or here if it never opens.
  if (gate.admit(remoteAddress) !== null) return refusedResponse();
  const conn = new WebSocketConnection(runtime, { remoteAddress, remotePort: address?.port ?? 0, localPort: server.port ?? 0 });
  const refusal = await askHook(runtime, conn, request);
  if (refusal === undefined && server.upgrade(request, { data: conn })) return undefined;
  gate.release(remoteAddress);
  return refusal ?? new Response("Upgrade Required", { status: 426 });
}

/** The handler's onWebSocketConnect: a Response it returns refuses the handshake; undefined lets it go on. */
async function askHook(runtime: WorkerRuntime, conn: WebSocketConnection, request: Request): Promise<Response | undefined> {
  const hook = runtime.app.onWebSocketConnect;
  if (!hook) return undefined;
  try {
    const refusal = await hook.call(runtime.app, conn, request);
    return refusal instanceof Response ? refusal : undefined;
  } catch (err) {
    runtime.reportError("onWebSocketConnect", conn, err);
    return new Response("Internal Server Error", { status: 500 });
  }
}

export const createWebSocketListener: ListenerFactory = (runtime) => {
  const drain = new HttpDrain();
  let server: Server<WebSocketConnection> | undefined;
  let closeFiles = () => {};
  const gate = new ConnectionGate(runtime.config, runtime.counters);
  return {
    async start() {
      drain.draining = false;
      const { answer: plainHttp, files } = createAnswer(runtime, (response) => response);
      closeFiles = () => files?.close();
      try {
        server = Bun.serve<WebSocketConnection>({
          ...serveOptions(runtime),
          fetch: async (request, srv) => {
            const response = await handshake(runtime, request, srv, plainHttp, gate);
            return response && drain.mark(response);
          },
          websocket: {
            maxPayloadLength: runtime.config.maxPackageSize,
            // Bun's own default is 120 s whatever the group says. With sendPings (on) a quiet peer is pinged first, so
            // only one that answers nothing at all (gone, or not reading) is closed; 0 turns the timeout off.
            idleTimeout: Math.min(255, runtime.config.idleTimeout),
            sendPings: true,
            backpressureLimit: runtime.config.maxSendBufferSize,
            open: (ws) => ws.data.attach(ws),
            message: (ws, message) => ws.data.onMessage(message),
            drain: (ws) => ws.data.onDrain(),
            close: (ws, code, reason) => {
              // Bun reports a peer's broken frames as 1006 with a reason ("Received invalid opcode"); a plain 1006 is a dropped line.
              const fault = PEER_FAULTS[code] ?? (code === 1006 && reason && reason !== IDLE_CLOSE ? reason : undefined);
              if (fault) ws.data.onProtocolFault(new AppError(code === 1009 ? "E_PACKAGE_TOO_BIG" : "E_PROTOCOL", fault));
              gate.release(ws.data.remoteAddress);
              ws.data.onClosed();
              drain.settled();
            },
          },
        });
      } catch (err) {
        throw listenError(runtime, err);
      }
      return { listen: { ...runtime.config.listen, port: server.port ?? runtime.config.listen.port } };
    },
    async drain(options) {
      await drain.run(server as Server<unknown>, options, () => {
        for (const conn of runtime.connections.values()) {
          if (conn instanceof WebSocketConnection) conn.close(undefined, GOING_AWAY, "server going away");
        }
      });
      closeFiles();
    },
  };
};
