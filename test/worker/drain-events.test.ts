// Drains end on events: a stream listener's when its last connection closes, an http listener's when its last request ends; a deadline still ends them.
import { afterEach, expect, test } from "bun:test";
import type { Socket, TCPSocketListener } from "bun";
import { ConnectionRegistry } from "../../src/worker/connection-registry.ts";
import type { WorkerRuntime } from "../../src/worker/runtime.ts";
import { drainStreamListener } from "../../src/worker/listeners/stream-socket.ts";
import { HttpDrain } from "../../src/worker/listeners/http-drain.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Which settles first: `promise`, or the next turn of the event loop (a poll, even every 1 ms, would lose). */
const beforeNextTurn = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => "settled"), new Promise((resolve) => setImmediate(() => resolve("next turn")))]);

/** A registry of fake connections whose close() leaves the registry unless `stuck` (a peer that never lets go). */
function fakeRuntime(ids: number[], stuck = false) {
  const connections = new ConnectionRegistry();
  const calls: string[] = [];
  for (const id of ids) {
    const conn = {
      id,
      info: () => ({}),
      close: () => {
        calls.push(`close ${id}`);
        if (!stuck) connections.delete(id);
      },
      destroy: () => {
        calls.push(`destroy ${id}`);
        connections.delete(id);
      },
    };
    connections.set(id, conn as never);
  }
  return { runtime: { connections } as unknown as WorkerRuntime, connections, calls };
}

function tcpListener(): TCPSocketListener<undefined> {
  const listener = Bun.listen<undefined>({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  cleanups.push(() => listener.stop(true));
  return listener;
}

const options = (graceful: boolean, stopTimeoutMs: number) => ({ graceful, stopTimeoutMs, gracefulTimeoutMs: Infinity, drainWindowMs: 0 });

test("a stream drain ends as soon as its last connection closes, with no poll in between", async () => {
  const { runtime, connections } = fakeRuntime([1, 2]);
  const drained = drainStreamListener(tcpListener() as never, runtime, options(true, 10_000));
  connections.delete(1);
  expect(await beforeNextTurn(drained)).toBe("next turn");
  connections.delete(2);
  expect(await beforeNextTurn(drained)).toBe("settled");
});

test("a stream drain with a deadline closes what is left at it, and destroys what will not close 500 ms later", async () => {
  const closing = fakeRuntime([1, 2]);
  let started = performance.now();
  await drainStreamListener(tcpListener() as never, closing.runtime, options(false, 200));
  const closedAt = performance.now() - started;
  expect(closing.calls).toEqual(["close 1", "close 2"]);
  expect(closedAt).toBeGreaterThanOrEqual(195);
  expect(closedAt).toBeLessThan(650);

  const stuck = fakeRuntime([3], true);
  started = performance.now();
  await drainStreamListener(tcpListener() as never, stuck.runtime, options(false, 200));
  const destroyedAt = performance.now() - started;
  expect(stuck.calls).toEqual(["close 3", "destroy 3"]);
  expect(destroyedAt).toBeGreaterThanOrEqual(695);
  expect(destroyedAt).toBeLessThan(1500);
});

/**
 * An http server whose /slow answer waits for `release`, answering through the drain as the listeners do, and a
 * client that sent half a request head and stopped: Bun counts no request for it, yet its stop promise waits for it.
 */
async function httpWithSlowRequest(drain: HttpDrain) {
  const release = Promise.withResolvers<void>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      if (request.url.endsWith("/slow")) await release.promise;
      return drain.mark(new Response("ok"));
    },
  });
  cleanups.push(() => server.stop(true));
  const idle: Socket<undefined> = await Bun.connect({ hostname: "127.0.0.1", port: server.port!, socket: { data() {} } });
  idle.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  cleanups.push(() => idle.terminate());
  const slow = fetch(`http://127.0.0.1:${server.port}/slow`).then((r) => r.text());
  while (server.pendingRequests === 0) await Bun.sleep(1);
  return { server, release: release.resolve, slow };
}

test("an http drain ends when its last request is answered, though a client that sent half a request is still connected", async () => {
  const drain = new HttpDrain();
  const { server, release, slow } = await httpWithSlowRequest(drain);
  const drained = drain.run(server, options(true, 10_000));
  await Bun.sleep(50);
  expect(await beforeNextTurn(drained)).toBe("next turn");
  const started = performance.now();
  release();
  expect(await slow).toBe("ok");
  await drained;
  expect(performance.now() - started).toBeLessThan(500);
});

test("an http drain with a deadline ends at it while a request is still in flight", async () => {
  const drain = new HttpDrain();
  const { server, release, slow } = await httpWithSlowRequest(drain);
  const started = performance.now();
  await drain.run(server, options(false, 200), () => release());
  const endedAt = performance.now() - started;
  expect(endedAt).toBeGreaterThanOrEqual(195);
  expect(endedAt).toBeLessThan(1300);
  await slow.catch(() => "");
});
