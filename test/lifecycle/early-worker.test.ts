// The worker a master spawns before it reads its config, with the compiled executable: it serves a slot or is gone, on every path (bad app.json, kill -9, refused starts, several groups).
import { afterEach, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { AppUnderTest, BINARY, childrenOf, isAlive, processesMentioning } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { waitFor, within } from "../support/wait.ts";

const HANDLER = `export default { fetch: () => new Response(process.env.WORKERMAN_INSTANCE + " " + (process.env.FOO ?? "-")) };\n`;
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const undo of cleanups.splice(0).reverse()) undo();
});

/** A folder with h.ts and (unless `fifo`) app.json; every process started with its marker is killed after the test. */
function appDir(config?: Record<string, unknown>): { dir: string; configPath: string; marker: string } {
  const dir = mkdtempSync(join(tmpdir(), "wm-early-"));
  const marker = `WM_EARLY_TEST=${dir}`;
  cleanups.push(() => {
    for (const pid of processesMentioning(marker)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, "h.ts"), HANDLER);
  const configPath = join(dir, "app.json");
  if (config) writeFileSync(configPath, JSON.stringify(config));
  return { dir, configPath, marker };
}

function appJson(workers: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return { name: "early", dataDir: "data", stopTimeout: 1, admin: { listen: "127.0.0.1:0" }, workers, ...extra };
}

function startMaster(dir: string, args: string[]): Subprocess<"ignore", "pipe", "pipe"> {
  const master = Bun.spawn([BINARY, ...args], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, WM_EARLY_TEST: dir } });
  cleanups.push(() => master.kill("SIGKILL"));
  return master;
}

async function outcome(proc: Subprocess<"ignore", "pipe", "pipe">): Promise<{ code: number; out: string }> {
  const [stdout, stderr, code] = await within(
    Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]),
    20_000,
    "the command to end",
  );
  return { code, out: stdout + stderr };
}

describe("the early worker, compiled", () => {
  test("the master waits on its app.json (a FIFO): the early worker waits beside it; a bad app.json then ends both, the field named, exit 2", async () => {
    await ensureBinary();
    const { dir, configPath, marker } = appDir();
    execFileSync("mkfifo", [configPath]);
    const master = startMaster(dir, ["start", "--config", configPath]);
    const [early] = await waitFor(() => childrenOf(master.pid), { until: (pids) => pids.length === 1, timeoutMs: 10_000, what: "the early worker" });
    expect(processesMentioning(marker).sort()).toEqual([master.pid, early!].sort());
    // The reader is blocked in open(2): this write completes it.
    writeFileSync(configPath, JSON.stringify(appJson([{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts", count: "two" }])));
    const { code, out } = await outcome(master);
    expect(code).toBe(2);
    expect(out).toContain("workers[0].count");
    expect(processesMentioning(marker)).toEqual([]);
  }, 30_000);

  test("kill -9 of the master while the early worker waits for its launch: the worker exits on its own", async () => {
    await ensureBinary();
    const { dir, configPath, marker } = appDir();
    execFileSync("mkfifo", [configPath]);
    const master = startMaster(dir, ["start", "--config", configPath]);
    const [early] = await waitFor(() => childrenOf(master.pid), { until: (pids) => pids.length === 1, timeoutMs: 10_000, what: "the early worker" });
    // Past its boot (its modules loaded, the parent-death signal armed): then the master goes.
    await Bun.sleep(300);
    expect(isAlive(early!)).toBe(true);
    master.kill("SIGKILL");
    await waitFor(() => !isAlive(early!), { timeoutMs: 2000, what: "the early worker to exit" });
    expect(processesMentioning(marker)).toEqual([]);
  }, 30_000);

  test("a second start of a running app is refused: the running one keeps its processes, the refused one leaves none", async () => {
    await ensureBinary();
    const workers = [{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts" }];
    await using app = await AppUnderTest.start({ mode: "compiled", workers, files: { "h.ts": HANDLER } });
    const running = childrenOf(app.master.pid);
    const second = startMaster(app.dir, ["start", "--config", app.configPath]);
    const { code, out } = await outcome(second);
    expect(code).not.toBe(0);
    expect(out).toContain("already running");
    expect(childrenOf(app.master.pid)).toEqual(running);
    expect(processesMentioning(`WM_EARLY_TEST=${app.dir}`)).toEqual([]);
  }, 30_000);

  test("start -d on a port a stranger holds is refused, and no process is left", async () => {
    await ensureBinary();
    const stranger = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    cleanups.push(() => stranger.stop(true));
    const { dir, configPath, marker } = appDir(appJson([{ name: "web", listen: `http://127.0.0.1:${stranger.port}`, handler: "./h.ts" }]));
    const { code, out } = await outcome(startMaster(dir, ["start", "-d", "--config", configPath]));
    expect(code).toBe(2);
    expect(out).toContain(String(stranger.port));
    expect(processesMentioning(marker)).toEqual([]);
  }, 30_000);

  test("several groups, count 2, a unix:// group first and one with its own env: every slot served, the table and /proc agree", async () => {
    await ensureBinary();
    const workers = [
      { name: "sock", listen: "unix://./s.sock", handler: "./h.ts" },
      { name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts", count: 2 },
      { name: "env", listen: "http://127.0.0.1:0", handler: "./h.ts", env: { FOO: "bar" } },
    ];
    await using app = await AppUnderTest.start({ mode: "compiled", workers, files: { "h.ts": HANDLER } });
    const status = await app.status();
    const table = status.processes.map((p) => p.pid).sort((a, b) => a! - b!);
    expect(status.processes.map((p) => `${p.group}#${p.index} ${p.state}`).sort()).toEqual(["env#0 ready", "sock#0 ready", "web#0 ready", "web#1 ready"]);
    expect(childrenOf(app.master.pid)).toEqual(table as number[]);
    // The early worker (the first that can take it: web#0) has the channel's instance id from its launch message, as web#1 has it from its spawn.
    const answers = new Set<string>();
    const web = await app.port("web");
    for (let i = 0; i < 20; i++) answers.add(await (await fetch(`http://127.0.0.1:${web}/`, { headers: { connection: "close" } })).text());
    expect(answers.size).toBe(1);
    const [instance] = [...answers];
    expect(instance).toContain(`-${app.master.pid}-`);
    expect(instance).toEndWith(" -");
    expect(await (await fetch(`http://127.0.0.1:${await app.port("env")}/`)).text()).toBe(`${instance!.split(" ")[0]} bar`);
  }, 30_000);
});

describe("a crashed slot's next process, spawned ahead of its restart (compiled)", () => {
  test("kill -9 of a worker: its replacement serves, and while it comes /api/status and /proc agree at every read", async () => {
    await ensureBinary();
    const workers = [{ name: "web", listen: "http://127.0.0.1:0", handler: "./h.ts", count: 2 }];
    await using app = await AppUnderTest.start({ mode: "compiled", workers, files: { "h.ts": HANDLER } });
    const [victim, other] = await app.pids("web");
    process.kill(victim!, "SIGKILL");
    const mismatches: string[] = [];
    let reads = 0;
    const replaced = await waitFor(
      async () => {
        const before = childrenOf(app.master.pid);
        const rows = (await app.status()).processes.filter((p) => p.pid !== null);
        const after = childrenOf(app.master.pid);
        reads++;
        const shown = rows.map((p) => p.pid!);
        // Shown but alive at neither read: a process the OS does not have. Alive at both reads but not shown: one it misses.
        for (const pid of shown) if (!before.includes(pid) && !after.includes(pid)) mismatches.push(`status shows ${pid}, /proc has [${before}]/[${after}]`);
        for (const pid of before) if (after.includes(pid) && !shown.includes(pid)) mismatches.push(`/proc has ${pid}, status shows [${shown}]`);
        const ready = rows.filter((p) => p.state === "ready").map((p) => p.pid!);
        return ready.length === 2 && !ready.includes(victim!) && ready;
      },
      { timeoutMs: 10_000, intervalMs: 2, what: "the replacement ready" },
    );
    expect(mismatches).toEqual([]);
    expect(reads).toBeGreaterThan(3);
    expect(replaced).toContain(other!);
    expect(childrenOf(app.master.pid)).toEqual([...replaced].sort((a, b) => a - b));
    // The replacement was spawned ahead of its launch: its environment still names its group, as every worker's does,
    // so a check of /proc for a group's processes (processesMentioning) sees it.
    const replacement = replaced.find((pid) => pid !== other)!;
    expect(processesMentioning(`"name":"web"`)).toContain(replacement);
  }, 30_000);
});
