// A fixed port someone else holds is refused with exit 2 and its holder named, with the compiled executable: a second app, a stranger, a reload.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppUnderTest, cliCommand, processesMentioning } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";

const HANDLER = `export default { fetch: () => new Response("first " + process.pid) };`;
const dirs: string[] = [];
const cleanups: (() => void)[] = [];

afterEach(() => {
  for (const undo of cleanups.splice(0)) undo();
});
afterAll(() => {
  for (const dir of dirs) {
    // A second app that wrongly started would be left running: its workers carry its folder in their environment.
    for (const pid of processesMentioning(dir)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An app.json in its own folder (own dataDir, admin port 0 unless told) that listens where it is told. */
function secondApp(listen: string, admin = "127.0.0.1:0"): string {
  const dir = mkdtempSync(join(tmpdir(), "wm-second-"));
  dirs.push(dir);
  writeFileSync(join(dir, "h.ts"), `export default { fetch: () => new Response("second"), onMessage() {} };`);
  const app = { name: "second", dataDir: "data", stopTimeout: 1, admin: { listen: admin }, workers: [{ name: "web", listen, handler: "./h.ts" }] };
  writeFileSync(join(dir, "app.json"), JSON.stringify(app));
  return join(dir, "app.json");
}

async function run(...args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([...cliCommand("compiled"), ...args], { stdout: "pipe", stderr: "pipe" });
  const killer = setTimeout(() => proc.kill("SIGKILL"), 20_000); // the old code started and served beside the first app
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  return { code, out: (stdout + stderr).trim() };
}

describe("a port in use (compiled)", () => {
  let first: AppUnderTest;
  let port: number;

  beforeAll(async () => {
    await ensureBinary();
    first = await AppUnderTest.start({
      mode: "compiled",
      workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./h.ts" }],
      files: { "h.ts": HANDLER },
    });
    port = await first.port("web");
  }, 120_000);

  afterAll(async () => {
    await first?.[Symbol.asyncDispose]();
  });

  async function firstAnswersEveryRequest(): Promise<void> {
    const bodies = await Promise.all(Array.from({ length: 30 }, () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    expect(bodies.filter((body) => !body.startsWith("first "))).toEqual([]);
  }

  test("a second app on the first app's port exits 2 naming the first app's master; the first answers every request", async () => {
    const refused = await run("start", "--config", secondApp(`http://127.0.0.1:${port}`));
    expect(refused).toEqual({
      code: 2,
      out: `E_LISTEN: workers[0].listen: 127.0.0.1:${port} is already in use by pid ${first.master.pid} (workerman-app: master test): stop it, or choose another port`,
    });
    await firstAnswersEveryRequest();
  });

  test("start -d says the same through the log, with exit 2; 0.0.0.0 overlaps the first app's 127.0.0.1", async () => {
    const refused = await run("start", "-d", "--config", secondApp(`http://0.0.0.0:${port}`));
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(
      `E_LISTEN: workers[0].listen: 0.0.0.0:${port} is already in use by pid ${first.master.pid} (workerman-app: master test) on 127.0.0.1:${port}`,
    );
    await firstAnswersEveryRequest();
  });

  test("a stranger's TCP listener and UDP socket are refused, named by this test's pid", async () => {
    const stranger = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    cleanups.push(() => stranger.stop(true));
    const tcp = await run("start", "--config", secondApp(`tcp://127.0.0.1:${stranger.port}`));
    expect(tcp.code).toBe(2);
    expect(tcp.out).toStartWith(`E_LISTEN: workers[0].listen: 127.0.0.1:${stranger.port} is already in use by pid ${process.pid} (`);

    const socket = createSocket("udp4");
    cleanups.push(() => socket.close());
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const udpPort = socket.address().port;
    const udp = await run("start", "--config", secondApp(`udp://127.0.0.1:${udpPort}`));
    expect(udp.code).toBe(2);
    expect(udp.out).toStartWith(`E_LISTEN: workers[0].listen: 127.0.0.1:${udpPort} is already in use by pid ${process.pid} (`);
  });

  test("an admin port in use names its holder too", async () => {
    const stranger = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    cleanups.push(() => stranger.stop(true));
    const refused = await run("start", "--config", secondApp("http://127.0.0.1:0", `127.0.0.1:${stranger.port}`));
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`E_LISTEN: admin.listen: admin plane cannot listen: 127.0.0.1:${stranger.port} is already in use by pid ${process.pid} (`);
  });

  test("restart refuses a stranger sharing the port by reusePort (exit 2), the old master's own workers are not strangers", async () => {
    // What the kernel allows a process of the same user: joining the first app's reusePort group.
    const stranger = Bun.serve({ hostname: "127.0.0.1", port, reusePort: true, fetch: () => new Response("stranger") });
    cleanups.push(() => stranger.stop(true));
    const refused = await run("restart", "--config", first.configPath);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`E_LISTEN: workers[0].listen: 127.0.0.1:${port} is already in use by pid ${process.pid} (`);
    expect(refused.out).toContain(`the old master (pid ${first.master.pid}) keeps serving`);
    stranger.stop(true);
    expect(first.exited).toBe(false);
    await firstAnswersEveryRequest();
  });

  test("a reload that moves a group onto a stranger's port is refused (exit 2) and the group keeps serving where it was", async () => {
    const stranger = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    cleanups.push(() => stranger.stop(true));
    const { readFileSync } = await import("node:fs");
    const original = readFileSync(first.configPath, "utf8");
    cleanups.push(() => writeFileSync(first.configPath, original));
    const config = JSON.parse(original);
    config.workers[0].listen = `http://127.0.0.1:${stranger.port}`;
    writeFileSync(first.configPath, JSON.stringify(config));
    const refused = await run("reload", "--config", first.configPath);
    expect(refused.code).toBe(2);
    expect(refused.out).toStartWith(
      `E_LISTEN: workers[0].listen: reload refused, nothing changed: 127.0.0.1:${stranger.port} is already in use by pid ${process.pid} (`,
    );
    expect((await first.status()).groups[0]!.listen).toBe(`http://127.0.0.1:${port}`);
    await firstAnswersEveryRequest();
  });
});
