// A worker's RSS peak under the input floods of test/reliability/input-flood.test.ts, sampled every 10 ms, over alternated rounds of one or more builds.
// `bun bench/input-flood-rss.ts [--runs N] [--busy N] [binary ...]`: per build and flood, the median, lowest and highest peak growth (RSS, and its
// anonymous part); --busy runs N CPU-bound processes meanwhile, a loaded CI box.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asChunk, CHUNKED_PREAMBLE, partialFlood } from "../test/support/floods.ts";
import { markdownTable } from "./lib/markdown.ts";
import { freePorts } from "./lib/ports.ts";
import { childrenOf } from "./lib/proc.ts";
import { Group, onCleanup } from "./lib/processes.ts";
import { median } from "./lib/stats.ts";

const MiB = 1024 * 1024;
const CONNECTIONS = 100;
const EACH = 9.5e6;
const SAMPLE_MS = 10;

/** The two floods of the reliability test, each against one worker with the test's handler. */
const FLOODS = {
  text: {
    scheme: "text",
    handler: `export default { onMessage(conn, line) { conn.send("echo " + line.length); } };\n`,
    flood: (port: number) => partialFlood({ port }, CONNECTIONS, EACH),
  },
  chunked: {
    scheme: "http",
    handler: `export default { fetch: async (r) => new Response("got " + (await r.arrayBuffer()).byteLength) };\n`,
    flood: (port: number) => partialFlood({ port }, CONNECTIONS, EACH, CHUNKED_PREAMBLE, asChunk),
  },
} as const;
type Flood = keyof typeof FLOODS;

/** VmRSS and RssAnon of a process, bytes. */
function memoryOf(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), anon: kib("RssAnon") };
}

interface Peak {
  rss: number;
  anon: number;
  shed: number;
}

async function waitForPort(port: number): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    try {
      (await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } })).end();
      return;
    } catch {
      await Bun.sleep(10);
    }
  }
  throw new Error(`nothing listens on ${port}`);
}

/** One start of `binary` with one worker, one flood, the peak growth over the idle worker's memory. */
async function oneFlood(binary: string, dir: string, kind: Flood, port: number): Promise<Peak> {
  await using master = new Group([binary, "start", "--config", join(dir, "app.json")], { cwd: dir });
  await master.waitForLine((line) => line.includes("Press Ctrl+C to stop."), 20_000, "the start");
  await waitForPort(port);
  const [worker] = childrenOf(master.pid);
  if (worker === undefined) throw new Error("the master has no worker");
  const before = memoryOf(worker);
  const flood = FLOODS[kind].flood(port);
  let done = false;
  void flood.finally(() => (done = true));
  const peak = { ...before };
  while (!done) {
    const now = memoryOf(worker);
    peak.rss = Math.max(peak.rss, now.rss);
    peak.anon = Math.max(peak.anon, now.anon);
    await Bun.sleep(SAMPLE_MS); // deliberate: the sampling period
  }
  const { closedByServer, sockets } = await flood;
  for (const socket of sockets) socket.destroy();
  await master.stop();
  return { rss: peak.rss - before.rss, anon: peak.anon - before.anon, shed: closedByServer };
}

function writeApp(dir: string, kind: Flood, port: number): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "h.ts"), FLOODS[kind].handler);
  const workers = [{ name: "flood", listen: `${FLOODS[kind].scheme}://127.0.0.1:${port}`, handler: "./h.ts" }];
  writeFileSync(join(dir, "app.json"), JSON.stringify({ name: "flood", dataDir: "data", admin: { listen: "127.0.0.1:0" }, workers }));
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, otherwise: number) => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args.splice(at, 2)[1]) : otherwise;
  };
  const runs = option("--runs", 5);
  const busy = option("--busy", 0);
  const binaries = args.length ? args : [join(import.meta.dir, "../workerman-app")];
  const root = mkdtempSync(join(tmpdir(), "wm-flood-"));
  const removeRoot = onCleanup(() => rmSync(root, { recursive: true, force: true }));
  const burners = Array.from({ length: busy }, () => Bun.spawn([process.execPath, "-e", "for (;;) {}"], { stdio: ["ignore", "ignore", "ignore"] }));
  const stopBurners = onCleanup(() => {
    for (const burner of burners) burner.kill("SIGKILL");
  });
  try {
    const { text: port } = await freePorts(["text"]);
    const kinds = Object.keys(FLOODS) as Flood[];
    const peaks = new Map<string, Peak[]>();
    console.log(`load average at start ${loadAverage()}; ${new Date().toISOString()}; ${busy} busy processes`);
    for (let round = 0; round < runs; round++) {
      const order = binaries.map((_, i) => i);
      for (const i of round % 2 ? order.reverse() : order)
        for (const kind of kinds) {
          const dir = join(root, `${i}-${kind}`);
          writeApp(dir, kind, port);
          const peak = await oneFlood(binaries[i]!, dir, kind, port);
          const key = `${i} ${kind}`;
          peaks.set(key, [...(peaks.get(key) ?? []), peak]);
          console.log(`round ${round + 1} ${binaries[i]} ${kind}: +${mib(peak.rss)} MiB RSS (+${mib(peak.anon)} anonymous), ${peak.shed} shed`);
        }
    }
    console.log(`load average at end ${loadAverage()}\n`);
    const rows = binaries.flatMap((binary, i) =>
      kinds.map((kind) => {
        const all = peaks.get(`${i} ${kind}`)!;
        const rss = all.map((p) => p.rss);
        return [binary, kind, mib(median(rss)), `${mib(Math.min(...rss))}..${mib(Math.max(...rss))}`, mib(median(all.map((p) => p.anon)))];
      }),
    );
    console.log(`${runs} rounds, alternated; peak growth over the idle worker, MiB (budget ${64})\n`);
    console.log(markdownTable(["binary", "flood", "RSS median", "RSS range", "anonymous median"], rows, ["l", "l", "r", "r", "r"]));
  } finally {
    stopBurners();
    removeRoot();
  }
}

if (import.meta.main) await main();
