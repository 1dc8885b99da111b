// maxConnections and maxConnectionsPerIp for Bun.serve groups, which show requests and WebSockets but not their sockets.
import type { Server } from "bun";
import type { Answer } from "../http-answer.ts";
import { type ConnectionGate, refusedResponse } from "../connection-gate.ts";

/** The peer's address, "" when Bun cannot tell (the socket is already gone). */
export function requestAddress(request: Request, server: Server<unknown>): string {
  try {
    return server.requestIP(request)?.address ?? "";
  } catch {
    return "";
  }
}

/**
 * http:// with maxConnectionsPerIp: each address may have that many requests in flight (Bun.serve does not show a
 * keep-alive socket between requests, so requests are what is counted). Off by default: then the answer is not
 * wrapped and the hot path pays nothing for it.
 */
export function perAddressAnswer(gate: ConnectionGate, answer: Answer): Answer {
  return (request, server) => {
    const address = requestAddress(request, server);
    if (gate.admit(address) !== null) return refusedResponse();
    let result: Response | Promise<Response>;
    try {
      result = answer(request, server);
    } catch (err) {
      gate.release(address);
      throw err;
    }
    if (result instanceof Promise) return result.finally(() => gate.release(address));
    gate.release(address);
    return result;
  };
}
