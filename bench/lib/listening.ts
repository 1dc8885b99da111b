// Which processes hold a listening TCP socket on a port, from /proc (the socket inodes of /proc/net/tcp and each process's fds).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const LISTEN = "0A";

/** Inodes of the IPv4 and IPv6 sockets listening on `port`. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is "ADDR:PORT" in hex; st is the fourth field, inode the tenth.
      if (fields.length > 9 && fields[1]!.endsWith(`:${hexPort}`) && fields[3] === LISTEN) inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** True when `pid` holds one of the sockets listening on `port` (false when it is gone or not readable). */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return false;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = "";
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1]!)) return true;
    }
  } catch {
    return false;
  }
  return false;
}
