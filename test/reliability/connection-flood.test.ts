// Connection floods on the compiled executable: past maxConnectionsPerIp / maxConnections new sockets are closed at once, others still get in, no spin.
import { beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { openFilesLimit } from "../../src/worker/connection-gate.ts";
import { AppUnderTest } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { connectionFlood, cpuShare } from "../support/floods.ts";
import { within } from "../support/wait.ts";

const ECHO = `export default { onMessage(conn, line) { conn.send("echo " + line); } };`;

beforeAll(() => ensureBinary(), 120_000);

/** One line asked from a given source address; the reply, or null when the server closed without one. */
function askFrom(port: number, localAddress: string, line: string): Promise<string | null> {
  const { promise, resolve } = Promise.withResolvers<string | null>();
  const socket = net.connect({ port, host: "127.0.0.1", localAddress }, () => socket.write(`${line}\n`));
  let got = "";
  socket.on("data", (d) => {
    got += d;
    if (got.includes("\n")) {
      resolve(got.trim());
      socket.destroy();
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => resolve(null));
  return promise;
}

async function metric(app: AppUnderTest, name: string, reason: string): Promise<number> {
  const text = await (await fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } })).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(`reason="${reason}"`));
  return Number(line?.split(" ").pop() ?? 0);
}

// Scaled down where the open-files limit is low (a CI machine at 1,024): the test process holds every flood socket.
const ROOM = openFilesLimit() ?? 1024;
const PER_IP = Math.min(1000, Math.floor(ROOM / 6));
const FLOOD = Math.floor(PER_IP * 1.5);

test(`two addresses x ${FLOOD} connections against maxConnectionsPerIp ${PER_IP}: the excess is refused, a third address is served, the worker does not spin`, async () => {
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts", maxConnectionsPerIp: PER_IP }],
    files: { "h.ts": ECHO },
  });
  const port = await app.port("text");
  const [pid] = await app.pids("text");
  const floods = await Promise.all(["127.0.0.2", "127.0.0.3"].map((from) => connectionFlood(port, from, FLOOD)));
  try {
    // A refused socket may be seen open until its close arrives: wait for the refusals themselves.
    await app.waitFor(() => floods.every((f) => f.refused() === FLOOD - PER_IP), 20_000, "the excess of each address refused");
    expect(floods.map((f) => f.open.size)).toEqual([PER_IP, PER_IP]);
    const replies = await Promise.all([1, 2, 3].map((i) => within(askFrom(port, "127.0.0.4", `hi ${i}`), 5000, "a reply to a third address")));
    expect(replies).toEqual(["echo hi 1", "echo hi 2", "echo hi 3"]);
    const cpu = await cpuShare(pid!, 1000);
    console.log(`per-address flood: ${floods.map((f) => f.refused()).join(" + ")} refused, worker CPU after it ${(cpu * 100).toFixed(1)}%`);
    expect(cpu).toBeLessThan(0.5);
    expect(
      await app.waitFor(async () => (await metric(app, "workerman_connections_refused_total", "maxConnectionsPerIp")) === 2 * (FLOOD - PER_IP), 5000),
    ).toBe(true);
  } finally {
    for (const f of floods) for (const s of f.open) s.destroy();
  }
}, 90_000);

test("without a per-address limit, maxConnections 200: past it every new socket is closed at once, the worker does not spin, and serves again after", async () => {
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts", maxConnections: 200 }],
    files: { "h.ts": ECHO },
  });
  const port = await app.port("text");
  const [pid] = await app.pids("text");
  const flood = await connectionFlood(port, "127.0.0.2", 1000);
  try {
    await app.waitFor(() => flood.refused() === 800, 20_000, "800 of 1000 refused");
    expect(flood.open.size).toBe(200);
    expect(await askFrom(port, "127.0.0.3", "full")).toBeNull();
    const cpu = await cpuShare(pid!, 1000);
    console.log(`maxConnections flood: ${flood.refused()} refused, worker CPU after it ${(cpu * 100).toFixed(1)}%`);
    expect(cpu).toBeLessThan(0.5);
    expect(await metric(app, "workerman_connections_refused_total", "maxConnections")).toBeGreaterThanOrEqual(801);
  } finally {
    for (const s of flood.open) s.destroy();
  }
  expect(await app.waitFor(() => askFrom(port, "127.0.0.3", "again"), 5000, "served again once the flood is gone")).toBe("echo again");
  expect((await app.pids("text"))[0]).toBe(pid);
}, 90_000);
