// Refuses a fixed TCP or UDP port that another process already holds, naming it from /proc: reusePort would otherwise share it silently.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { AppConfig, ListenAddress } from "../config/types.ts";
import { AppError } from "../errors.ts";

type Transport = "tcp" | "udp";

/** An address as 16 bytes in hex, IPv4 as ::ffff:a.b.c.d, so both families compare alike. */
type Address = string;
const ANY4 = "00000000000000000000ffff00000000";
const ANY6 = "0".repeat(32);

interface Bound {
  address: Address;
  inode: string;
}

/** Where this port is already bound, as /proc/net shows it: "127.0.0.1:8080 ... in use by pid N (cmd)". */
export interface PortHolder {
  /** The holder's own address, named when it differs from the one asked for (0.0.0.0:8080 holds 127.0.0.1:8080). */
  boundAt?: string;
  pid?: number;
  command?: string;
}

export interface PortCheckOptions {
  /** Processes whose whole trees are this app's own (restart: the old master; reload: this master): their sockets are not strangers'. */
  ours?: number[];
}

/** The transport whose ports a scheme binds; unix sockets have their own check (unix-socket.ts). */
function transportOf(listen: ListenAddress): Transport | null {
  if (listen.scheme === "unix") return null;
  return listen.scheme === "udp" ? "udp" : "tcp";
}

/**
 * Throws E_LISTEN for the first group whose fixed port another process holds. `only` limits the check to some
 * groups (a reload checks only the addresses it changes); port 0 was resolved to a free port and is not checked.
 */
export async function refuseBusyPorts(config: AppConfig, options: PortCheckOptions = {}, only?: (name: string) => boolean): Promise<void> {
  for (const [i, group] of config.workers.entries()) {
    const transport = transportOf(group.listen);
    if (!transport || group.listen.port === 0 || (only && !only(group.name))) continue;
    const holder = await portHolder(transport, group.listen.host, group.listen.port, options);
    if (holder) throw new AppError("E_LISTEN", busyMessage(group.listen.host, group.listen.port, holder), { field: `workers[${i}].listen` });
  }
}

/** "127.0.0.1:8080 is already in use by pid 1234 (workerman-app: master demo): stop it, or choose another port". */
export function busyMessage(host: string, port: number, holder: PortHolder): string {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const who = holder.pid === undefined ? "another process" : `pid ${holder.pid}${holder.command ? ` (${holder.command})` : ""}`;
  const at = holder.boundAt === undefined || holder.boundAt === where ? "" : ` on ${holder.boundAt}`;
  return `${where} is already in use by ${who}${at}: stop it, or choose another port`;
}

/**
 * Who holds host:port (null when it is free, or held only by `ours`). A bind without SO_REUSEPORT answers first
 * (well under a millisecond; reading /proc/net/tcp walks the kernel's whole table, 40 ms and more on a start path of
 * about 120): only a refused bind reads /proc to name the holder.
 */
export async function portHolder(transport: Transport, host: string, port: number, options: PortCheckOptions = {}): Promise<PortHolder | null> {
  if (!(await bindRefused(transport, host, port))) return null;
  const addresses = parseAddress(host) !== null ? [host] : await resolveHost(host);
  return portHolderSync(transport, addresses, port, options);
}

/**
 * The /proc half of portHolder, for a bind that was refused with EADDRINUSE (the admin plane's own bind, which is
 * synchronous: IP literals and localhost only). Where /proc cannot be read, a stranger is assumed unless some
 * processes are ours.
 */
export function portHolderSync(transport: Transport, hosts: string[], port: number, options: PortCheckOptions = {}): PortHolder | null {
  const wanted = hosts.flatMap((h) => (h.toLowerCase() === "localhost" ? ["127.0.0.1", "::1"] : [h])).flatMap((h) => parseAddress(h) ?? []);
  const bound = boundSockets(transport, port);
  if (bound === null) return options.ours?.length ? null : {};
  const clashing = bound.filter((b) => wanted.some((w) => overlaps(w, b.address)));
  if (clashing.length === 0) return null;
  const ours = new Set(options.ours ?? []);
  const holders = socketOwners(new Set(clashing.map((b) => b.inode)), Math.min(...ours));
  const strangers = [...holders.entries()].filter(([, pid]) => !inTreeOf(pid, ours));
  const unowned = clashing.filter((b) => !holders.has(b.inode));
  if (strangers.length === 0 && unowned.length === 0) return null;
  const [inode, pid] = strangers[0] ?? [unowned[0]!.inode, undefined];
  const boundAt = printable(clashing.find((b) => b.inode === inode)!.address, port);
  if (pid === undefined) return { boundAt };
  const named = masterOf(pid) ?? pid;
  return { boundAt, pid: named, command: commandOf(named) };
}

/** True when a bind without SO_REUSEPORT is refused as in use: any socket holds the port, reusePort or not. */
async function bindRefused(transport: Transport, host: string, port: number): Promise<boolean> {
  if (transport === "tcp") {
    try {
      Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
      return false;
    } catch (err) {
      // Anything else (EADDRNOTAVAIL, EACCES below 1024) is for the worker's own bind to report.
      return (err as NodeJS.ErrnoException).code === "EADDRINUSE";
    }
  }
  // node:dgram only for udp groups, as resolve-ports.ts does: most masters have none.
  const socket = process.getBuiltinModule("node:dgram").createSocket(host.includes(":") ? "udp6" : "udp4");
  const refused = await new Promise<boolean>((resolve) => {
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE"));
    socket.bind(port, host, () => resolve(false));
  });
  try {
    socket.close();
  } catch {
    // never bound
  }
  return refused;
}

async function resolveHost(host: string): Promise<string[]> {
  if (host.toLowerCase() === "localhost") return [host];
  try {
    const { lookup } = process.getBuiltinModule("node:dns/promises");
    return (await lookup(host, { all: true })).map((found) => found.address);
  } catch {
    // A name that does not resolve cannot be bound either: the worker's own bind reports it.
    return [];
  }
}

/** The wildcard of either family overlaps every address of it; `::` (dual-stack by default) overlaps IPv4 too. */
function overlaps(a: Address, b: Address): boolean {
  if (a === ANY6 || b === ANY6 || a === b) return true;
  const v4 = (x: Address) => x.startsWith("00000000000000000000ffff");
  return (a === ANY4 && v4(b)) || (b === ANY4 && v4(a));
}

/** Sockets bound to `port`: TCP ones in LISTEN state, every UDP one; null where /proc/net cannot be read. */
function boundSockets(transport: Transport, port: number): Bound[] | null {
  const found: Bound[] = [];
  let readable = false;
  for (const file of [`/proc/net/${transport}`, `/proc/net/${transport}6`]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
      readable = true;
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (!local || !inode || (transport === "tcp" && state !== "0A")) continue;
      const [hex, portHex] = local.split(":");
      if (Number.parseInt(portHex ?? "", 16) !== port || !hex) continue;
      found.push({ address: fromProcHex(hex), inode });
    }
  }
  return readable ? found : null;
}

/** /proc/net writes each 32-bit word of an address in host (little-endian) byte order. */
function fromProcHex(hex: string): Address {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words
    .map((word) => word.match(/../g)!.reverse().join(""))
    .join("")
    .toLowerCase();
  return bytes.length === 8 ? `00000000000000000000ffff${bytes}` : bytes;
}

/**
 * Socket inode -> the pid of a process holding it, from the fd links every visible process shows. Pids from `from`
 * up are read first (a master's workers were spawned after it) and the scan ends once every inode has its owner:
 * a restart, where the old master's workers hold every socket, reads a few processes instead of all.
 */
function socketOwners(inodes: Set<string>, from: number): Map<string, number> {
  const owners = new Map<string, number>();
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => (a >= from === b >= from ? a - b : a >= from ? -1 : 1));
  } catch {
    return owners;
  }
  for (const pid of pids) {
    if (owners.size === inodes.size) break;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = target.startsWith("socket:[") ? target.slice(8, -1) : "";
      if (inodes.has(inode) && !owners.has(inode)) owners.set(inode, pid);
    }
  }
  return owners;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function inTreeOf(pid: number, roots: Set<number>): boolean {
  for (let at = pid, hops = 0; at > 1 && hops < 64; at = parentOf(at), hops++) if (roots.has(at)) return true;
  return false;
}

export function commandOf(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ").trim();
    return args.length > 120 ? `${args.slice(0, 117)}...` : args || undefined;
  } catch {
    return undefined;
  }
}

/** A worker of some workerman-app is named by its master: that is the process to stop. */
function masterOf(pid: number): number | undefined {
  if (!commandOf(pid)?.startsWith("workerman-app: worker ")) return undefined;
  const parent = parentOf(pid);
  return commandOf(parent)?.startsWith("workerman-app: master ") ? parent : undefined;
}

/** An IP literal as 16 bytes in hex; null for a host name. */
function parseAddress(host: string): Address | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4)
    return `00000000000000000000ffff${v4
      .slice(1)
      .map((n) => Number(n).toString(16).padStart(2, "0"))
      .join("")}`;
  if (!host.includes(":")) return null;
  let text = host.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const mapped = parseAddress(tail[1]!)!.slice(24);
    text = `${text.slice(0, -tail[1]!.length)}${mapped.slice(0, 4)}:${mapped.slice(4)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const fill = rest === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  const groups = [...left, ...fill, ...right];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return null;
  return groups.map((g) => g.toLowerCase().padStart(4, "0")).join("");
}

function printable(address: Address, port: number): string {
  if (address.startsWith("00000000000000000000ffff")) {
    const bytes = address
      .slice(24)
      .match(/../g)!
      .map((b) => Number.parseInt(b, 16));
    return `${bytes.join(".")}:${port}`;
  }
  const groups = address.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ""));
  const text = groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
  return `[${text}]:${port}`;
}
