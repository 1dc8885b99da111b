// Server memory per idle connection: hold N idle WebSocket / TCP connections, ours and raw Bun; past one process's
// open-files limit N is spread over enough server and holder processes that none passes it.
import { join } from "node:path";
import type { Kind } from "./lib/kinds.ts";
import { fdLimit } from "./lib/fd-limit.ts";
import { markdownTable } from "./lib/markdown.ts";
import { rssKiB } from "./lib/proc.ts";
import { Group } from "./lib/processes.ts";
import { startServer, type RunningServer, type Side } from "./lib/servers.ts";
import { median, ratio } from "./lib/stats.ts";

export type IdleKind = Extract<Kind, "ws" | "text">;
const HOLDER = join(import.meta.dir, "load/idle-holder.ts");
const WARMUP_CONNECTIONS = 500;
/** Descriptors a server process needs besides its connections (listener, IPC, stdio, Bun's own). */
const FD_HEADROOM = 500;
/** Past one process, each server and holder is given at most this share of what its limit allows. */
const SHARE_OF_LIMIT = 0.8;
/** Each holder run gets fresh loopback source addresses: TIME_WAIT leftovers make bind(addr, 0) slow. */
let block = Math.floor(Math.random() * 40) * 256;

export interface MemoryResult {
  kind: IdleKind;
  requested: number;
  connections: number;
  /** Server processes (each side) and holder processes the connections were spread over. */
  servers: number;
  holders: number;
  note?: string;
  ours: number[];
  raw: number[];
  /** Connections held and connects per second of each measured run, by side. */
  held: Record<Side, number[]>;
  rate: Record<Side, number[]>;
}

/** One measured run: KiB per connection over all server processes, connections held, connects a second. */
interface Sample {
  perConnection: number;
  held: number;
  rate: number;
}

function nextSource(): string {
  const b = block++;
  return `127.${60 + (b >> 8)}.${b & 255}.1`;
}

async function serverRss(server: RunningServer, kind: IdleKind): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push((server.workers[kind] ?? []).reduce((sum, pid) => sum + rssKiB(pid), 0));
    await Bun.sleep(300);
  }
  return median(samples);
}

interface Holding {
  groups: Group[];
  held: number;
  seconds: number;
}

/** Opens `count` connections from `holders` processes at once (fresh source addresses each); resolves when all hold. */
async function hold(server: RunningServer, kind: IdleKind, count: number, holders: number, prefix: string[]): Promise<Holding> {
  const started = performance.now();
  const groups: Group[] = [];
  const shares = Array.from({ length: holders }, (_, i) => Math.floor(count / holders) + (i < count % holders ? 1 : 0));
  const reports = shares.map((share) => {
    // Each holder its own block of source addresses (255 addresses of 2,000 connections: more than one holder opens).
    const first = nextSource();
    // Connects in flight over all holders stay about 1,000: more only fills the 2 cores' accept queues and times out.
    const parallel = String(Math.max(32, Math.min(256, Math.floor(1024 / holders))));
    const group = new Group([...prefix, process.execPath, HOLDER, kind, String(server.ports[kind]), String(share), first, parallel]);
    groups.push(group);
    return group.waitForLine((l) => l.startsWith("held "), 300_000, `holding ${share} ${kind} connections`);
  });
  let held = 0;
  for (const [i, line] of (await Promise.all(reports)).entries()) {
    const report = JSON.parse(line.slice("held ".length)) as { held: number; failures: Record<string, number> };
    if (report.held < shares[i]!) console.error(`  held ${report.held} of ${shares[i]}: ${JSON.stringify(report.failures)}`);
    held += report.held;
  }
  return { groups, held, seconds: (performance.now() - started) / 1000 };
}

/** KiB of server RSS per held connection, after a warm-up that pays the one-time costs (JIT, first allocations). */
async function measureOnce(binary: string, side: Side, kind: IdleKind, count: number, spread: Spread, prefix: string[]): Promise<Sample> {
  const server = await startServer(side, { binary, kinds: [kind], count: spread.servers, prefix });
  const holders: Group[] = [];
  try {
    const warm = await hold(server, kind, WARMUP_CONNECTIONS * spread.servers, 1, prefix);
    for (const group of warm.groups) await group.stop(0);
    await Bun.sleep(500);
    const before = await serverRss(server, kind);
    const holding = await hold(server, kind, count, spread.holders, prefix);
    holders.push(...holding.groups);
    await Bun.sleep(1500);
    const after = await serverRss(server, kind);
    // Still held when the memory was read: a connection the server closed meanwhile (idleTimeout) is not counted.
    const lost = holding.groups.reduce((sum, group) => sum + Number(group.lines.findLast((l) => l.startsWith("lost "))?.slice(5) ?? 0), 0);
    if (lost > 0) console.error(`  ${lost} of ${holding.held} ${kind} connections closed by the server before the memory was read`);
    const held = holding.held - lost;
    return { perConnection: (after - before) / held, held, rate: holding.held / holding.seconds };
  } finally {
    // Server first: its side closes first, so no TIME_WAIT is left on the holder's source addresses.
    await server.stop();
    for (const holder of holders) await holder.stop(0);
  }
}

interface Spread {
  servers: number;
  holders: number;
}

/**
 * One of each while a process can hold them all; past that enough of each that none holds more than SHARE_OF_LIMIT of
 * its open-files limit (SO_REUSEPORT spreads accepts by hash, so a server may get a little more than its share).
 */
function spreadFor(count: number, perProcess: number): Spread {
  if (count <= perProcess) return { servers: 1, holders: 1 };
  const processes = Math.ceil(count / (perProcess * SHARE_OF_LIMIT));
  return { servers: processes, holders: processes };
}

export interface MemoryOptions {
  binary: string;
  counts: number[];
  /** --only's scenarios: ws and text are the idle kinds (both when neither is named). */
  kinds: readonly Kind[];
  rounds: number;
  log: (line: string) => void;
}

export async function runIdleMemory(options: MemoryOptions): Promise<MemoryResult[]> {
  const limit = fdLimit();
  const perProcess = Math.floor((limit.hard - FD_HEADROOM) / 1000) * 1000;
  const results: MemoryResult[] = [];
  for (const requested of options.counts) {
    const spread = spreadFor(requested, perProcess);
    const note =
      spread.servers > 1
        ? `${requested.toLocaleString("en")} is past one process's open-files limit (${limit.hard}, raised only with CAP_SYS_RESOURCE): spread over ${spread.servers} server processes (a group of count ${spread.servers}; raw Bun: ${spread.servers} reusePort processes) and ${spread.holders} holder processes, each connection from its own source address block (127.x.y.z, 2,000 per address) so the ephemeral port range never runs out`
        : undefined;
    const named = (["ws", "text"] as const).filter((kind) => options.kinds.includes(kind));
    for (const kind of named.length > 0 ? named : (["ws", "text"] as const)) {
      const result: MemoryResult = {
        kind,
        requested,
        connections: requested,
        ...spread,
        note,
        ours: [],
        raw: [],
        held: { ours: [], raw: [] },
        rate: { ours: [], raw: [] },
      };
      // One round past one process: the box is shared, and these figures vary little.
      const rounds = spread.servers > 1 ? 1 : options.rounds;
      for (let round = 0; round < rounds; round++) {
        const order: Side[] = round % 2 === 0 ? ["ours", "raw"] : ["raw", "ours"];
        for (const side of order) {
          const sample = await measureOnce(options.binary, side, kind, requested, spread, limit.prefix);
          result[side].push(sample.perConnection);
          result.held[side].push(sample.held);
          result.rate[side].push(sample.rate);
          options.log(
            `idle ${kind} x${requested} round ${round + 1} ${side}: ${sample.perConnection.toFixed(2)} KiB per connection, ${sample.held} held, ${Math.round(sample.rate)} connects/s`,
          );
        }
      }
      results.push(result);
    }
  }
  return results;
}

export function memoryTable(results: MemoryResult[]): string {
  const rows = results.map((r) => {
    const [ours, raw] = [median(r.ours), median(r.raw)];
    const kind = r.kind === "ws" ? "WebSocket" : "TCP (text)";
    const held = Math.min(...r.held.ours).toLocaleString("en");
    const rate = (side: Side) => `${(median(r.rate[side]) / 1000).toFixed(1)}k/s`;
    return [
      kind,
      held,
      `${r.servers} / ${r.holders}`,
      `${ours.toFixed(2)} KiB`,
      `${raw.toFixed(2)} KiB`,
      `**${ratio(ours, raw)}**`,
      `${rate("ours")} / ${rate("raw")}`,
    ];
  });
  return markdownTable(
    ["idle connections", "held (ours)", "servers / holders", "ours RSS / conn", "raw Bun RSS / conn", "ratio (target <= 1.2x)", "connects (ours / raw)"],
    rows,
    ["l", "r", "r", "r", "r", "r", "r"],
  );
}
