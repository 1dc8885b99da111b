// The master keeps its workers alive: crashes are restarted, throwing handlers are contained, no process outlives it.
import { describe, expect, test } from "bun:test";
import { AppUnderTest, isAlive, processesMentioning } from "../support/app-under-test.ts";
import { askLine, streamClient } from "../support/clients.ts";
import { waitFor } from "../support/wait.ts";

const TEXT_HANDLER = `
export default {
  onMessage(conn, line) {
    if (line === "throw") throw new Error("handler blew up on purpose");
    if (line === "reject") return Promise.reject(new Error("async handler rejected"));
    conn.send("pid " + process.pid + " " + line);
  },
  onError(conn, err) { console.error("onError saw: " + err.message); },
};`;

describe("supervision", () => {
  test("kill -9 of a worker: a new pid serves within 1 s", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./t.ts" }],
      files: { "t.ts": TEXT_HANDLER },
    });
    const port = await app.port("t");
    const before = await app.pids("t");
    expect(before.length).toBe(2);
    const killedAt = Date.now();
    process.kill(before[0]!, "SIGKILL");
    const after = await app.waitFor(
      async () => {
        const pids = await app.pids("t");
        return pids.length === 2 && !pids.includes(before[0]!) ? pids : undefined;
      },
      3000,
      "a replacement worker",
    );
    expect(Date.now() - killedAt).toBeLessThan(1000);
    expect(after).toContain(before[1]!);
    expect(await askLine({ port }, "still there")).toMatch(/^pid \d+ still there$/);
    const status = await app.status();
    expect(status.processes.find((p) => p.pid !== before[1])!.restarts).toBe(1);
  });

  test("a throwing handler is reported through onError and the worker keeps serving", async () => {
    await using app = await AppUnderTest.start({ workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts" }], files: { "t.ts": TEXT_HANDLER } });
    const port = await app.port("t");
    const [pid] = await app.pids("t");
    const client = await streamClient({ port });
    client.write("throw\nreject\nafter\n");
    expect(await client.until((t) => t.includes("after"))).toBe(`pid ${pid} after\n`);
    client.socket.end();
    await app.waitFor(() => app.output.some((l) => l.includes("onError saw: async handler rejected")), 3000, "onError output");
    expect(app.output.some((l) => l.includes("onError saw: handler blew up on purpose"))).toBe(true);
    expect(app.output.some((l) => l.includes("onMessage threw") && l.includes("handler blew up on purpose"))).toBe(true);
    const proc = await app.waitFor(async () => (await app.status()).processes.find((p) => p.handlerErrors === 2), 3000, "handlerErrors = 2");
    expect(proc.pid).toBe(pid!);
    expect(proc.restarts).toBe(0);
  });

  test("a packet over maxPackageSize closes only that connection and is counted", async () => {
    await using app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", handler: "./t.ts", maxPackageSize: 1024 }],
      files: { "t.ts": TEXT_HANDLER },
    });
    const port = await app.port("t");
    const bystander = await streamClient({ port });
    const offender = await streamClient({ port });
    offender.write("x".repeat(5000));
    await offender.closed;
    bystander.write("fine\n");
    expect(await bystander.until((t) => t.includes("fine"))).toMatch(/^pid \d+ fine\n$/);
    bystander.socket.end();
    const proc = await app.waitFor(async () => (await app.status()).processes.find((p) => p.protocolErrors === 1), 3000, "protocolErrors = 1");
    expect(proc.restarts).toBe(0);
    expect(app.output.some((l) => /closing connection \d+ .*maxPackageSize/.test(l))).toBe(true);
  });

  test("a handler that throws at import fails the start: exit 2 with file:line, nothing left running", async () => {
    const err = await AppUnderTest.start({
      workers: [
        { name: "ok", listen: "text://127.0.0.1:0", handler: "./ok.ts" },
        { name: "bad", listen: "text://127.0.0.1:0", handler: "./bad.ts" },
      ],
      files: {
        "ok.ts": TEXT_HANDLER,
        "bad.ts": `const url = process.env.DATABASE_URL;\nif (!url) throw new Error("cannot start: missing DATABASE_URL");\nexport default {};`,
      },
    }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/group "bad" cannot start: bad.ts:2:\d+ cannot start: missing DATABASE_URL/);
    expect(processesMentioning('"name":"bad"')).toEqual([]);
  });

  test("kill -9 of the master: every worker exits within 1 s", async () => {
    const app = await AppUnderTest.start({
      workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./t.ts" }],
      files: { "t.ts": TEXT_HANDLER },
    });
    const pids = await app.pids("t");
    app.master.kill("SIGKILL");
    await app.master.exited;
    const left = await waitFor(() => pids.filter(isAlive), { until: (alive) => alive.length === 0, timeoutMs: 1000, what: "every worker to exit" });
    expect(left).toEqual([]);
    await app[Symbol.asyncDispose]();
  });
});
