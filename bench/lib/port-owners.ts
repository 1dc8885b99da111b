// What the OS says serves a port: the processes holding a listening TCP socket on it (/proc/net/tcp{,6} + /proc/<pid>/fd), and a master's live children.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { childrenOf } from "./proc.ts";

const LISTEN = "0A";

/** Inodes of the sockets listening on `port` (any address, IPv4 or IPv6). */
export function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      const local = fields[1]!;
      if (Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16) === port) inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** Every process (that we may look into) holding one of `inodes`, sorted. */
export function holdersOf(inodes: Set<string>): number[] {
  const holders: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry) && holdsOneOf(Number(entry), inodes)) holders.push(Number(entry));
  }
  return holders.sort((a, b) => a - b);
}

/** True when `pid` holds a socket among `inodes` (false when it is gone or not ours to look into). */
export function holdsOneOf(pid: number, inodes: Set<string>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    let target = "";
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && inodes.has(inode)) return true;
  }
  return false;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** The master's children that are alive (zombies not yet reaped are not processes any more). */
export function liveChildren(master: number): number[] {
  return [...new Set(childrenOf(master))].filter((pid) => !isZombie(pid)).sort((a, b) => a - b);
}
