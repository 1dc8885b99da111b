// Checks that span groups: unique names and no two listeners on the same address.
import type { AdminConfig, ListenAddress, WorkerGroupConfig } from "./types.ts";
import type { ConfigProblems } from "./problems.ts";

interface Claim {
  field: string;
  owner: string;
  family: string;
  host: string;
  port: number;
}

/** Names as written, so a group whose listen URL failed still counts. */
export function checkUniqueNames(names: readonly string[], problems: ConfigProblems): void {
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else {
      const message = `duplicate group name "${name}" (also workers[${first}]): names must be unique`;
      problems.add(`workers[${index}].name`, message);
    }
  });
}

/** `groups[i]` is undefined when that group's listen URL did not parse. */
export function checkAddressClashes(admin: AdminConfig | undefined, groups: readonly (WorkerGroupConfig | undefined)[], problems: ConfigProblems): void {
  const claims: Claim[] = [];
  if (admin) {
    claims.push({ field: "admin.listen", owner: "the admin plane", family: "tcp", host: admin.host, port: admin.port });
  }
  groups.forEach((group, index) => {
    if (group) claims.push(claimOf(group.listen, `workers[${index}].listen`, `workers[${index}] ("${group.name}")`));
  });
  claims.forEach((claim, i) => {
    const earlier = claims.slice(0, i).find((other) => clash(claim, other));
    if (!earlier) return;
    const where = claim.family === "unix" ? `socket ${claim.host}` : `${claim.family} port ${claim.port} on ${claim.host}`;
    problems.add(claim.field, `${where} is already used by ${earlier.owner}: give each listener its own address`);
  });
}

function claimOf(listen: ListenAddress, field: string, owner: string): Claim {
  if (listen.scheme === "unix") return { field, owner, family: "unix", host: listen.path ?? "", port: 0 };
  // Every stream scheme binds a TCP port; udp has its own port numbers.
  const family = listen.scheme === "udp" ? "udp" : "tcp";
  return { field, owner, family, host: listen.host, port: listen.port };
}

function clash(a: Claim, b: Claim): boolean {
  if (a.family !== b.family) return false;
  if (a.family === "unix") return a.host === b.host;
  // Port 0 asks the kernel for a free port, so it never collides.
  if (a.port === 0 || a.port !== b.port) return false;
  return hostsOverlap(normalHost(a.host), normalHost(b.host));
}

function normalHost(host: string): string {
  const h = host.toLowerCase();
  return h === "localhost" ? "127.0.0.1" : h;
}

function hostsOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  // "::" is dual-stack on Linux by default, so it covers IPv4 as well; "0.0.0.0" covers every IPv4 address.
  if (a === "::" || b === "::") return true;
  const v4 = (h: string) => !h.includes(":");
  return (a === "0.0.0.0" && v4(b)) || (b === "0.0.0.0" && v4(a));
}
