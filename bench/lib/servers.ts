// Starts the two servers the benchmark compares: our compiled executable on bench/app/app.json, and the raw-Bun baseline.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Kind } from "./kinds.ts";
import { freePorts } from "./ports.ts";
import { Group, onCleanup } from "./processes.ts";

export const REPO = resolve(import.meta.dir, "../..");
const APP_DIR = join(REPO, "bench/app");
const RAW_SCRIPT = join(REPO, "bench/raw/raw-bun.ts");
const START_TIMEOUT_MS = 20_000;

export type Side = "ours" | "raw";

export interface ServerSpec {
  /** Our executable (a private copy of ./workerman-app, see binary.ts). */
  binary: string;
  kinds: readonly Kind[];
  /** Processes per scenario. */
  count: number;
  /** Wraps the server's argv, e.g. taskset or prlimit. */
  prefix: string[];
  /** Extra environment, e.g. BUN_OPTIONS for a profiler. */
  env?: Record<string, string>;
}

export interface RunningServer {
  side: Side | "workerman";
  ports: Record<Kind, number>;
  /** The processes that serve each scenario (our workers, or the raw children). */
  workers: Partial<Record<Kind, number[]>>;
  /** The process group leader: our master, or the raw parent. */
  root: number;
  stop(): Promise<void>;
}

interface GroupConfig {
  name: string;
  listen: string;
  handler: string;
  count?: number;
}

/** bench/app/app.json with only `kinds`, the given ports and count, absolute handler paths and a temporary data folder. */
function benchConfig(dir: string, spec: ServerSpec, ports: Record<Kind, number>): string {
  const config = JSON.parse(readFileSync(join(APP_DIR, "app.json"), "utf8")) as { dataDir: string; workers: GroupConfig[] };
  config.dataDir = join(dir, "data");
  config.workers = config.workers
    .filter((group) => spec.kinds.includes(group.name as Kind))
    .map((group) => ({
      ...group,
      listen: group.listen.replace(/:0$/, `:${ports[group.name as Kind]}`),
      handler: join(APP_DIR, group.handler),
      count: spec.count,
    }));
  const path = join(dir, "app.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

export async function startOurs(spec: ServerSpec): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "wm-bench-"));
  const ports = await freePorts(spec.kinds);
  const removeDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const group = new Group([...spec.prefix, spec.binary, "--config", benchConfig(dir, spec, ports)], { cwd: dir, env: spec.env });
  const cleanup = async () => {
    await group.stop();
    removeDir();
  };
  try {
    await group.waitForLine((line) => line.includes("Press Ctrl+C to stop."), START_TIMEOUT_MS, "workerman-app start");
    const adminUrl = (await group.waitForLine((line) => line.startsWith("admin  "), 1000, "admin line")).split(/\s+/)[1]!;
    const token = readFileSync(join(dir, "data/admin.token"), "utf8").trim();
    const response = await fetch(`${adminUrl}/api/status`, { headers: { Authorization: `Bearer ${token}` } });
    const status = (await response.json()) as { master: { pid: number }; processes: { pid: number; group: string; state: string }[] };
    const workers: Partial<Record<Kind, number[]>> = {};
    for (const proc of status.processes) if (proc.state === "ready") (workers[proc.group as Kind] ??= []).push(proc.pid);
    return { side: "ours", ports, workers, root: status.master.pid, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export async function startRaw(spec: ServerSpec): Promise<RunningServer> {
  const ports = await freePorts(spec.kinds);
  const args = spec.kinds.flatMap((kind) => [`--${kind}`, String(ports[kind])]);
  const group = new Group([...spec.prefix, process.execPath, RAW_SCRIPT, "--count", String(spec.count), ...args], { env: spec.env });
  try {
    const ready = await group.waitForLine((line) => line.startsWith("ready "), START_TIMEOUT_MS, "raw-bun start");
    const workers = JSON.parse(ready.slice("ready ".length)) as Partial<Record<Kind, number[]>>;
    return { side: "raw", ports, workers, root: group.pid, stop: () => group.stop() };
  } catch (err) {
    await group.stop();
    throw err;
  }
}

export function startServer(side: Side, spec: ServerSpec): Promise<RunningServer> {
  return side === "ours" ? startOurs(spec) : startRaw(spec);
}
