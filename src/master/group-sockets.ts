// The master's unix:// listening sockets, one per group: bound before the workers start, closed with their group or at stop.
import { closeSync } from "node:fs";
import type { AppConfig } from "../config/types.ts";
import { bindGroupSocket, removeOwnSocketFile, type BoundSocket } from "./unix-socket.ts";

export async function bindUnixSockets(config: AppConfig, beside: boolean): Promise<Map<string, BoundSocket>> {
  const sockets = new Map<string, BoundSocket>();
  try {
    for (const [i, group] of config.workers.entries()) {
      if (group.listen.scheme !== "unix" || !group.listen.path) continue;
      sockets.set(group.name, await bindGroupSocket(group.listen.path, group.socketMode, `workers[${i}].listen`, beside));
    }
  } catch (err) {
    closeSockets(sockets);
    throw err;
  }
  return sockets;
}

export function closeSockets(sockets: Map<string, BoundSocket>): void {
  for (const socket of sockets.values()) closeSocket(socket);
  sockets.clear();
}

/** A reload removed a unix:// group: nothing accepts on its socket any more, so no client may queue there. */
export function closeGroupSocket(sockets: Map<string, BoundSocket>, listenFds: Map<string, number>, name: string): void {
  const socket = sockets.get(name);
  if (!socket) return;
  sockets.delete(name);
  listenFds.delete(name);
  closeSocket(socket);
}

/** The workers keep their own copies of the descriptor until they exit; the file goes at once. */
function closeSocket(socket: BoundSocket): void {
  closeSync(socket.fd);
  removeOwnSocketFile(socket);
}
