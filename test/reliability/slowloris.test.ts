// Torture: hundreds of clients dribbling request headers do not stop others being served, and are closed by the server.
import { expect, test } from "bun:test";
import net from "node:net";
import { AppUnderTest } from "../support/app-under-test.ts";

const HTTP = `export default { fetch: () => new Response("served") };`;
const SLOW_CLIENTS = 200;

test("200 slowloris connections (one header byte a second): others are served, and the slow ones are closed", async () => {
  await using app = await AppUnderTest.start({
    workers: [{ name: "web", listen: "http://127.0.0.1:0", count: 2, handler: "./web.ts", idleTimeout: 5 }],
    files: { "web.ts": HTTP },
  });
  const port = await app.port("web");
  const header = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100);
  let closedByServer = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: SLOW_CLIENTS },
      () =>
        new Promise<net.Socket>((resolve) => {
          const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
          socket.on("close", () => closedByServer++);
          socket.on("error", () => {});
        }),
    ),
  );
  let sent = 0;
  const dribble = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write(header[sent % header.length]!);
    sent++;
  }, 1000);
  try {
    const startedAt = Date.now();
    while (Date.now() - startedAt < 4000) {
      const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
      expect(await response.text()).toBe("served");
      await Bun.sleep(200); // deliberate pacing: a normal request every 200 ms for 4 s, each one must be served while the slow clients dribble
    }
    await app.waitFor(() => closedByServer === SLOW_CLIENTS, 25_000, `all ${SLOW_CLIENTS} slow connections closed`);
    expect(sent).toBeLessThan(header.length); // they were cut off before they could finish their headers
  } finally {
    clearInterval(dribble);
    for (const socket of sockets) socket.destroy();
  }
  expect((await app.status()).processes.every((p) => p.restarts === 0)).toBe(true);
}, 60_000);
