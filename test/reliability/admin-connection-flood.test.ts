// Keep-alive connections flooding the admin port from two addresses, against a compiled master limited to 1024 descriptors: the CLI answers and a killed worker comes back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import net from "node:net";
import { AppUnderTest, cliCommand } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { waitFor } from "../support/wait.ts";
import { parsePrometheus } from "../admin/prometheus-parser.ts";

const OPEN_FILES = 1024;
/** Past the descriptor limit by half: on a master without a cap this ends in EMFILE. */
const PER_ADDRESS = 750;
const SOURCES = ["127.0.0.2", "127.0.0.3"];
const TEXT = `export default { onMessage(conn, line) { conn.send(line); } };`;

interface Flood {
  sockets: net.Socket[];
  statuses: Map<string, number>;
  stop: () => void;
}

/** Opens keep-alive connections that ask GET /healthz on connect and then every second, as the measured flood did. */
async function flood(port: number): Promise<Flood> {
  const sockets: net.Socket[] = [];
  const statuses = new Map<string, number>();
  const ask = (socket: net.Socket) => socket.writable && socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  const open = (localAddress: string) =>
    new Promise<void>((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port, localAddress });
      sockets.push(socket);
      socket.on("connect", () => {
        ask(socket);
        resolve();
      });
      socket.on("data", (chunk) => {
        const status = /^HTTP\/1\.1 (\d+)/.exec(String(chunk))?.[1] ?? "other";
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
      socket.on("error", () => resolve());
      socket.on("close", () => resolve());
    });
  for (let i = 0; i < PER_ADDRESS; i += 50) {
    await Promise.all(SOURCES.flatMap((address) => Array.from({ length: 50 }, () => open(address))));
  }
  const again = setInterval(() => sockets.forEach(ask), 1000);
  return {
    sockets,
    statuses,
    stop: () => {
      clearInterval(again);
      for (const socket of sockets) socket.destroy();
    },
  };
}

function descriptorsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

async function cliStatus(app: AppUnderTest): Promise<{ code: number; ms: number; out: string }> {
  const started = performance.now();
  const cli = Bun.spawn([...cliCommand("compiled"), "status", "--config", app.configPath], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => cli.kill("SIGKILL"), 15_000);
  const [code, out, err] = await Promise.all([cli.exited, new Response(cli.stdout).text(), new Response(cli.stderr).text()]);
  clearTimeout(timer);
  return { code, ms: performance.now() - started, out: out + err };
}

describe(`admin port flooded with ${SOURCES.length} x ${PER_ADDRESS} keep-alive connections (master limited to ${OPEN_FILES} descriptors)`, () => {
  let app: AppUnderTest;
  let attack: Flood | undefined;

  beforeAll(async () => {
    await ensureBinary();
    app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./t.ts" }],
      files: { "t.ts": TEXT },
      openFilesLimit: OPEN_FILES,
      mode: "compiled",
    });
  }, 120_000);

  afterAll(async () => {
    attack?.stop();
    await app?.[Symbol.asyncDispose]();
  });

  test("during the flood the master stays under its limit, the CLI answers, a killed worker is respawned; the refusals are counted", async () => {
    const port = Number(new URL(app.adminUrl).port);
    const before = await app.pids("t");
    attack = await flood(port);
    const peak = descriptorsOf(app.master.pid);
    expect(peak).toBeLessThan(OPEN_FILES - 64);

    const status = await cliStatus(app);
    expect(status.code, status.out).toBe(0);
    expect(status.out).toContain("t");

    process.kill(before[0]!, "SIGKILL");
    const after = await app.waitFor(
      async () => {
        const pids = await app.pids("t");
        return pids.length === 2 && !pids.includes(before[0]!) ? pids : undefined;
      },
      15_000,
      "the killed worker to be respawned during the flood",
    );
    expect(after).toContain(before[1]!);
    expect(app.output.join("\n")).not.toContain("EMFILE");
    expect(
      app.output.filter((line) => line.includes("admin: at its connection limit (admin.maxConnections 256)")),
      app.output.join("\n"),
    ).toHaveLength(1);

    const metrics = parsePrometheus(await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text());
    const value = (name: string) => metrics.get(name)?.samples[0]?.value ?? -1;
    expect(value("workerman_admin_connections")).toBeLessThanOrEqual(value("workerman_admin_connections_max"));
    expect(value("workerman_admin_connections_max")).toBe(256);
    expect(value("workerman_admin_connections_refused_total") + value("workerman_admin_connections_evicted_total")).toBeGreaterThan(0);
    console.log(
      `admin flood: ${attack.sockets.length} connections, master at ${peak} descriptors, CLI status in ${Math.round(status.ms)} ms, answers ${JSON.stringify(Object.fromEntries(attack.statuses))}`,
    );
  }, 60_000);

  test("after the flood the CLI answers and the unauthenticated connections are gone", async () => {
    attack?.stop();
    const status = await cliStatus(app);
    expect(status.code, status.out).toBe(0);
    await waitFor(() => descriptorsOf(app.master.pid) < 128, { timeoutMs: 10_000, what: "the flood's descriptors to be released" });
  }, 30_000);
});
