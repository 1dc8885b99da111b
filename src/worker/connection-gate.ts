// maxConnections and maxConnectionsPerIp: a new connection past them is closed at once, counted, and logged once a minute.
import { readFileSync } from "node:fs";
import type { WorkerGroupConfig } from "../config/types.ts";
import { ShedLog } from "./shed-log.ts";

/** Descriptors left for the process's own files (its log pipes, IPC, the handler's files and outbound sockets). */
const OWN_FILES = 256;
const SHARE = 0.9;

/** The soft open-files limit of this process (Bun raises it to the hard one at start), or null when it cannot be read. */
export function openFilesLimit(limits = "/proc/self/limits"): number | null {
  try {
    const line = readFileSync(limits, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft === undefined || soft === "unlimited" ? null : Number(soft);
  } catch {
    return null;
  }
}

/** maxConnections when the group sets none: 90% of what the open-files limit leaves after the process's own files. */
export function defaultMaxConnections(limit = openFilesLimit()): number {
  if (limit === null || !Number.isFinite(limit)) return 1_000_000;
  return Math.max(1, Math.floor((limit - OWN_FILES) * SHARE));
}

/** What a refused request or WebSocket handshake gets (Bun.serve groups): Bun closes the connection after it. */
export function refusedResponse(): Response {
  return new Response("Service Unavailable", { status: 503, headers: { Connection: "close", "Retry-After": "1" } });
}

export type Refusal = "maxConnections" | "maxConnectionsPerIp";

export interface GateCounters {
  refusedMaxConnections: number;
  refusedMaxConnectionsPerIp: number;
}

/**
 * One compare per accepted connection when no per-address limit is set (the default); with one, a count per address
 * that has a connection open (dropped at its last close), so a flood from many addresses costs an entry each, bounded
 * by maxConnections.
 */
export class ConnectionGate {
  readonly max: number;
  readonly perIp: number;
  #open = 0;
  readonly #byAddress: Map<string, number> | null;
  readonly #log: ShedLog;

  constructor(
    config: Pick<WorkerGroupConfig, "maxConnections" | "maxConnectionsPerIp">,
    private readonly counters: GateCounters,
    log?: ShedLog,
  ) {
    this.max = config.maxConnections ?? defaultMaxConnections();
    this.perIp = config.maxConnectionsPerIp ?? 0;
    this.#byAddress = this.perIp > 0 ? new Map() : null;
    this.#log =
      log ??
      new ShedLog({
        maxConnections: `new connections refused past maxConnections (${this.max})`,
        maxConnectionsPerIp: `new connections refused past maxConnectionsPerIp (${this.perIp}) for their address`,
      });
  }

  get open(): number {
    return this.#open;
  }

  /** null when the connection may open (it is counted until release), else why not (counted and logged). */
  admit(address: string): Refusal | null {
    if (this.#open >= this.max) return this.#refuse("maxConnections", address);
    const byAddress = this.#byAddress;
    if (byAddress !== null) {
      const count = byAddress.get(address) ?? 0;
      if (count >= this.perIp) return this.#refuse("maxConnectionsPerIp", address);
      byAddress.set(address, count + 1);
    }
    this.#open++;
    return null;
  }

  /** An admitted connection closed. */
  release(address: string): void {
    this.#open--;
    const byAddress = this.#byAddress;
    if (byAddress === null) return;
    const count = (byAddress.get(address) ?? 1) - 1;
    if (count > 0) byAddress.set(address, count);
    else byAddress.delete(address);
  }

  #refuse(reason: Refusal, address: string): Refusal {
    if (reason === "maxConnections") this.counters.refusedMaxConnections++;
    else this.counters.refusedMaxConnectionsPerIp++;
    this.#log.record(reason, address);
    return reason;
  }
}
