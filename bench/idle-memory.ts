// Server memory per idle connection: hold N idle WebSocket / TCP connections on one server process, ours and raw Bun.
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
/** Each holder run gets fresh loopback source addresses: TIME_WAIT leftovers make bind(addr, 0) slow. */
let block = Math.floor(Math.random() * 40) * 256;

export interface MemoryResult {
  kind: IdleKind;
  requested: number;
  connections: number;
  note?: string;
  ours: number[];
  raw: number[];
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

async function hold(server: RunningServer, kind: IdleKind, count: number, prefix: string[]): Promise<{ group: Group; held: number }> {
  const group = new Group([...prefix, process.execPath, HOLDER, kind, String(server.ports[kind]), String(count), nextSource()]);
  const line = await group.waitForLine((l) => l.startsWith("held "), 120_000, `holding ${count} ${kind} connections`);
  const report = JSON.parse(line.slice("held ".length)) as { held: number; failures: Record<string, number> };
  if (report.held < count) console.error(`  held ${report.held} of ${count}: ${JSON.stringify(report.failures)}`);
  return { group, held: report.held };
}

/** KiB of server RSS per held connection, after a warm-up that pays the one-time costs (JIT, first allocations). */
async function measureOnce(binary: string, side: Side, kind: IdleKind, count: number, prefix: string[]): Promise<number> {
  const server = await startServer(side, { binary, kinds: [kind], count: 1, prefix });
  const holders: Group[] = [];
  try {
    const warm = await hold(server, kind, WARMUP_CONNECTIONS, prefix);
    await warm.group.stop(0);
    await Bun.sleep(500);
    const before = await serverRss(server, kind);
    const { group, held } = await hold(server, kind, count, prefix);
    holders.push(group);
    await Bun.sleep(1500);
    const after = await serverRss(server, kind);
    return (after - before) / held;
  } finally {
    // Server first: its side closes first, so no TIME_WAIT is left on the holder's source addresses.
    await server.stop();
    for (const holder of holders) await holder.stop(0);
  }
}

export interface MemoryOptions {
  binary: string;
  counts: number[];
  rounds: number;
  log: (line: string) => void;
}

export async function runIdleMemory(options: MemoryOptions): Promise<MemoryResult[]> {
  const limit = fdLimit();
  const max = Math.floor((limit.hard - FD_HEADROOM) / 1000) * 1000;
  const results: MemoryResult[] = [];
  for (const requested of options.counts) {
    const connections = Math.min(requested, max);
    const note =
      connections < requested
        ? `stops at ${connections.toLocaleString("en")}: ${requested.toLocaleString("en")} needs more than the open-files hard limit (${limit.hard}) of one process, which only CAP_SYS_RESOURCE can raise`
        : undefined;
    if (results.some((r) => r.connections === connections)) continue;
    for (const kind of ["ws", "text"] as const) {
      const result: MemoryResult = { kind, requested, connections, note, ours: [], raw: [] };
      for (let round = 0; round < options.rounds; round++) {
        const order: Side[] = round % 2 === 0 ? ["ours", "raw"] : ["raw", "ours"];
        for (const side of order) {
          const perConnection = await measureOnce(options.binary, side, kind, connections, limit.prefix);
          result[side].push(perConnection);
          options.log(`idle ${kind} x${connections} round ${round + 1} ${side}: ${perConnection.toFixed(2)} KiB per connection`);
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
    return [kind, r.connections.toLocaleString("en"), `${ours.toFixed(2)} KiB`, `${raw.toFixed(2)} KiB`, `**${ratio(ours, raw)}**`];
  });
  return markdownTable(["idle connections", "held", "ours RSS / conn", "raw Bun RSS / conn", "ratio (target <= 1.2x)"], rows, ["l", "r", "r", "r", "r"]);
}
