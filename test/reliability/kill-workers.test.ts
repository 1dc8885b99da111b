// Torture: repeated kill -9 of random workers and of the master; the master restores the count, a new start works at once.
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AppUnderTest, isAlive, livePids } from "../support/app-under-test.ts";
import { streamClient, type StreamClient } from "../support/clients.ts";
import { waitFor } from "../support/wait.ts";

const TEXT = `export default { onMessage(conn, line) { conn.send("pid " + process.pid + " " + line); } };`;

async function pidOf(client: StreamClient, tag: string): Promise<number> {
  client.write(`${tag}\n`);
  const text = await client.until((t) => t.includes(` ${tag}\n`));
  return Number(new RegExp(`pid (\\d+) ${tag}\\n`).exec(text)![1]);
}

test("kill -9 of random workers, 6 times: only the killed worker's connections end, the count is restored each time", async () => {
  await using app = await AppUnderTest.start({ workers: [{ name: "t", listen: "text://127.0.0.1:0", count: 3, handler: "./t.ts" }], files: { "t.ts": TEXT } });
  const port = await app.port("t");
  for (let round = 0; round < 6; round++) {
    const clients = await Promise.all(Array.from({ length: 12 }, () => streamClient({ port })));
    const owners = await Promise.all(clients.map((c, i) => pidOf(c, `r${round}c${i}`)));
    const pids = await app.pids("t");
    const victim = pids[Math.floor(Math.random() * pids.length)]!;
    process.kill(victim, "SIGKILL");
    for (const [i, client] of clients.entries()) {
      if (owners[i] === victim) {
        await client.closed;
      } else {
        expect(await pidOf(client, `after${round}c${i}`)).toBe(owners[i]!);
        client.socket.end();
      }
    }
    await app.waitFor(
      async () => {
        const now = await app.pids("t");
        return now.length === 3 && !now.includes(victim);
      },
      5000,
      `3 workers again after killing ${victim}`,
    );
  }
  const status = await app.status();
  expect(status.processes.reduce((sum, p) => sum + p.restarts, 0)).toBe(6);
}, 60_000);

test("kill -9 of the master: no orphan after 1 s, and a new start on the same config works at once", async () => {
  const socketPath = join("/tmp", `wm-rel-${process.pid}.sock`);
  const spec = {
    workers: [
      { name: "t", listen: "text://127.0.0.1:0", count: 2, handler: "./t.ts" },
      { name: "u", listen: `unix://${socketPath}`, count: 2, handler: "./t.ts", protocol: "text" },
    ],
    files: { "t.ts": TEXT },
  };
  const first = await AppUnderTest.start(spec);
  const pids = livePids((await first.status()).processes);
  first.master.kill("SIGKILL");
  await first.master.exited;
  const orphans = await waitFor(() => pids.filter(isAlive), { until: (alive) => alive.length === 0, timeoutMs: 1000, what: "no orphan 1 s after the kill -9" });
  expect(orphans).toEqual([]);
  expect(existsSync(socketPath)).toBe(true); // left behind by the dead master: the next start must replace it

  const { spawn } = Bun;
  const again = spawn([process.execPath, join(import.meta.dir, "../../src/cli.ts"), "start", "--config", first.configPath], { stdout: "pipe", stderr: "pipe" });
  try {
    let output = "";
    const decoder = new TextDecoder();
    const reader = again.stdout.getReader();
    const deadline = Date.now() + 15_000;
    while (!output.includes("Press Ctrl+C") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      output += decoder.decode(value);
    }
    expect(output).toContain("Press Ctrl+C");
    const client = await streamClient({ unix: socketPath });
    client.write("back\n");
    expect(await client.until((t) => t.includes("back"))).toMatch(/^pid \d+ back\n$/);
    client.socket.end();
    reader.releaseLock();
  } finally {
    again.kill("SIGTERM");
    await again.exited;
    await first[Symbol.asyncDispose]();
  }
}, 60_000);
