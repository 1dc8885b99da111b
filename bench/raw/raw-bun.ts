// Raw-Bun baseline: spawns N reusePort processes per scenario (`bun raw-bun.ts --count N --http P --routes P --ws P --text P --frame P --json P --udp P --realistic P`).
import { join } from "node:path";
import type { Subprocess } from "bun";

const KINDS = ["http", "routes", "ws", "text", "frame", "json", "udp", "realistic"] as const;
type Kind = (typeof KINDS)[number];

function parse(argv: string[]): { count: number; ports: Partial<Record<Kind, number>> } {
  let count = 1;
  const ports: Partial<Record<Kind, number>> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]!.replace(/^--/, "");
    const value = Number(argv[i + 1]);
    if (name === "count") count = value;
    else if ((KINDS as readonly string[]).includes(name)) ports[name as Kind] = value;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return { count, ports };
}

const { count, ports } = parse(process.argv.slice(2));
const children: Subprocess[] = [];
const pids: Partial<Record<Kind, number[]>> = {};
const ready: Promise<void>[] = [];

/** SIGTERM lets a child exit through process.exit, so a profiler writes its file; the benchmark kills the group if this hangs. */
async function stopAll(): Promise<never> {
  for (const child of children) child.kill("SIGTERM");
  await Promise.race([Promise.all(children.map((child) => child.exited)), Bun.sleep(2000)]);
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stopAll());

for (const [kind, port] of Object.entries(ports) as [Kind, number][]) {
  for (let i = 0; i < count; i++) {
    const { promise, resolve } = Promise.withResolvers<void>();
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "serve-one.ts"), kind, String(port)], {
      stdio: ["ignore", "inherit", "inherit"],
      ipc: () => resolve(),
      serialization: "json",
    });
    children.push(child);
    (pids[kind] ??= []).push(child.pid);
    ready.push(Promise.race([promise, child.exited.then((code) => Promise.reject(new Error(`${kind} server exited with ${code}`)))]));
  }
}

try {
  await Promise.all(ready);
} catch (err) {
  console.error((err as Error).message);
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
}
console.log(`ready ${JSON.stringify(pids)}`);
// Any child dying ends the baseline: a half-running baseline would give wrong figures.
await Promise.race(children.map((child) => child.exited));
console.error("a raw-Bun server exited");
await stopAll();
