// worker.connect(url, options): parses the target URL and opens the matching kind of outbound connection.
import { isAbsolute } from "node:path";
import { AppError } from "../../errors.ts";
import { builtinProtocols, type BuiltinProtocolName } from "../../protocols/load-protocol.ts";
import type { Protocol } from "../../protocols/protocol.ts";
import type { ConnectionHost } from "../connection-host.ts";
import type { ConnectOptions, OutboundConnection } from "../types.ts";
import { OutboundStreamConnection } from "./stream-outbound.ts";
import { OutboundUdpConnection } from "./udp-outbound.ts";
import { OutboundWebSocketConnection } from "./websocket-outbound.ts";

const SCHEMES = "tcp, text, frame, unix, ws, wss, udp";

export function connectOutbound(runtime: ConnectionHost, url: string, options: ConnectOptions): OutboundConnection {
  const { protocol: _protocol, tls, ...handlers } = options;
  const match = /^([a-z]+):\/\/(.+)$/i.exec(url.trim());
  if (!match) throw new AppError("E_HANDLER", `worker.connect("${url}"): expected scheme://host:port (${SCHEMES})`);
  const scheme = match[1]!.toLowerCase();
  const rest = match[2]!;
  const tlsOption = tls === undefined ? undefined : tls;
  let conn: OutboundStreamConnection | OutboundWebSocketConnection | OutboundUdpConnection;
  if (scheme === "ws" || scheme === "wss") {
    conn = new OutboundWebSocketConnection(runtime, new URL(url), typeof tls === "object" ? tls : undefined, handlers);
  } else if (scheme === "unix") {
    const framing = framingFor(scheme, options.protocol, url);
    conn = new OutboundStreamConnection(runtime, { unix: rest }, tlsOption, framing.name, framing.protocol, handlers);
  } else if (scheme === "tcp" || scheme === "text" || scheme === "frame" || scheme === "udp") {
    const { hostname, port } = hostPort(rest, url);
    if (scheme === "udp") conn = new OutboundUdpConnection(runtime, hostname, port, handlers);
    else {
      const framing = framingFor(scheme, options.protocol, url);
      conn = new OutboundStreamConnection(runtime, { hostname, port }, tlsOption, framing.name, framing.protocol, handlers);
    }
  } else {
    throw new AppError("E_HANDLER", `worker.connect("${url}"): unknown scheme "${scheme}" (expected ${SCHEMES})`);
  }
  conn.connect();
  return conn;
}

function hostPort(rest: string, url: string): { hostname: string; port: number } {
  const parsed = new URL(`tcp://${rest}`);
  const port = Number(parsed.port);
  if (!parsed.hostname || !Number.isInteger(port) || port <= 0) {
    throw new AppError("E_HANDLER", `worker.connect("${url}"): needs host:port, e.g. tcp://127.0.0.1:8000`);
  }
  return { hostname: parsed.hostname.replace(/^\[|\]$/g, ""), port };
}

/** text:// and frame:// imply their framing; tcp:// and unix:// take options.protocol (a built-in name or a Protocol object). */
function framingFor(scheme: string, chosen: ConnectOptions["protocol"], url: string): { name: string; protocol: Protocol | null } {
  const name = scheme === "text" || scheme === "frame" ? scheme : chosen;
  if (name === undefined) return { name: scheme, protocol: null };
  if (typeof name === "object") return { name: "custom", protocol: name };
  if (Object.hasOwn(builtinProtocols, name)) return { name, protocol: builtinProtocols[name as BuiltinProtocolName] };
  const hint = isAbsolute(name) ? `: import the module and pass it as { protocol: myProtocol }` : "";
  throw new AppError("E_HANDLER", `worker.connect("${url}"): unknown protocol "${name}" (expected text, frame, json or a Protocol object)${hint}`);
}
