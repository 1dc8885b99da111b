// Every listener kind parks (listener closed, connections drained, process alive and reporting) and listens again on unpark.
import { expect, test } from "bun:test";
import { isAlive, type Mode } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { httpPeer, linePeer, type Peer, udpPeer, webSocketPeer } from "../support/listener-peers.ts";
import { within } from "../support/wait.ts";
import { freePort, WorkerUnderTest } from "../support/worker-under-test.ts";
import { pidOf } from "./listener.case.ts";

const HANDLER = `let starts = 0;
export default {
  onWorkerStart() { starts++; console.log("start " + starts); },
  onWorkerStop() { console.log("stop " + starts); },
  onMessage(conn, data) { conn.send("pid " + process.pid + ": " + String(data)); },
  async fetch(request) { return new Response("pid " + process.pid + ": " + (await request.text())); },
};`;

interface Kind {
  name: string;
  listen: () => string;
  settings?: Record<string, unknown>;
  connect: (listen: string) => Promise<Peer>;
  /** What a new client meets while the process is parked and alone on the address. */
  whileParked: "refused" | "unanswered";
}

const tcpTarget = (listen: string) => ({ host: new URL(listen).hostname, port: Number(new URL(listen).port) });
const KINDS: Kind[] = [
  { name: "http", listen: () => `http://127.0.0.1:${freePort()}`, connect: (l) => httpPeer(tcpTarget(l).port, "127.0.0.1"), whileParked: "refused" },
  {
    name: "websocket",
    listen: () => `websocket://127.0.0.1:${freePort()}`,
    connect: (l) => webSocketPeer(`ws://127.0.0.1:${tcpTarget(l).port}`),
    whileParked: "refused",
  },
  {
    name: "tcp",
    listen: () => `tcp://127.0.0.1:${freePort()}`,
    settings: { protocol: "text" },
    connect: (l) => linePeer(tcpTarget(l)),
    whileParked: "refused",
  },
  // The master keeps the unix socket bound for the group's other processes, so the kernel queues a connection nobody here takes.
  {
    name: "unix",
    listen: () => "unix://{dir}/w.sock",
    settings: { protocol: "text" },
    connect: (l) => linePeer({ path: new URL(l).pathname }),
    whileParked: "unanswered",
  },
  { name: "udp", listen: () => `udp://127.0.0.1:${freePort()}`, connect: (l) => udpPeer(tcpTarget(l).port, "127.0.0.1"), whileParked: "unanswered" },
];

async function ask(peer: Peer, message: string): Promise<number> {
  peer.send(message);
  return pidOf(await peer.reply());
}

/** A new client's fate: refused at connect, or connected (or sent) and never answered. */
async function newClient(kind: Kind, listen: string): Promise<"refused" | "unanswered" | "answered"> {
  let peer: Peer;
  try {
    peer = await kind.connect(listen);
  } catch {
    return "refused";
  }
  peer.send("while parked");
  try {
    await peer.reply(700);
    return "answered";
  } catch {
    return "unanswered";
  } finally {
    peer.end();
  }
}

// unix also from the compiled executable: its park loads bun:ffi (dup) inside the executable.
const RUNS: [Kind, Mode][] = [...KINDS.map((kind): [Kind, Mode] => [kind, "source"]), [KINDS.find((k) => k.name === "unix")!, "compiled"]];

for (const [kind, mode] of RUNS) {
  test(`${kind.name}${mode === "compiled" ? " (compiled)" : ""}: park closes the listener, drains and keeps the process; unpark serves the same address again (twice)`, async () => {
    if (mode === "compiled") await ensureBinary();
    await using worker = await WorkerUnderTest.start(kind.listen(), HANDLER, kind.settings, mode);
    const { listen } = await worker.next("ready");
    const url = listen.scheme === "unix" ? `unix://${listen.path}` : `${listen.scheme}://${listen.host}:${listen.port}`;
    const held = await kind.connect(url);
    expect(await ask(held, "before")).toBe(worker.pid);
    for (const round of [1, 2]) {
      const parked = worker.next("parked");
      worker.send({ type: "park", graceful: false });
      await parked;
      // The drain ended the open connection (stopTimeout 1 s), as a reload's does; udp has none.
      if (round === 1 && kind.name !== "udp") await within(held.closed, 5000, "the held connection closed by the park");
      expect(await newClient(kind, url)).toBe(kind.whileParked);
      expect(isAlive(worker.pid)).toBe(true);
      // Still reporting while parked (the master hears from it every second).
      await worker.next("stats", 3000);
      const ready = worker.next("ready");
      worker.send({ type: "unpark" });
      expect((await ready).listen).toEqual(listen);
      const peer = await kind.connect(url);
      expect(await ask(peer, `after unpark ${round}`)).toBe(worker.pid);
      peer.end();
    }
    // For the handler a park is a stop and an unpark a start, in the same process (module state kept).
    expect(worker.output.filter((line) => /^(start|stop) /.test(line))).toEqual(["start 1", "stop 1", "start 2", "stop 2", "start 3"]);
    worker.send({ type: "stop", graceful: false, reason: "stop" });
    expect(await within(worker.child.exited, 5000, "the worker's exit")).toBe(0);
  }, 30_000);
}

test("stop while parked exits at once with code 0; unpark after a stop is ignored", async () => {
  await using worker = await WorkerUnderTest.start(`http://127.0.0.1:${freePort()}`, HANDLER);
  await worker.next("ready");
  const parked = worker.next("parked");
  worker.send({ type: "park", graceful: true });
  await parked;
  worker.send({ type: "stop", graceful: true, reason: "stop" });
  worker.send({ type: "unpark" });
  expect(await within(worker.child.exited, 3000, "the parked worker's exit")).toBe(0);
  expect(worker.messages.filter((m) => m.type === "ready").length).toBe(1);
  expect(worker.output.filter((line) => /^(start|stop) /.test(line))).toEqual(["start 1", "stop 1"]);
});

test("a graceful park waits for open connections; an unpark sent meanwhile follows it (parked, then ready, in that order)", async () => {
  const listen = `tcp://127.0.0.1:${freePort()}`;
  await using worker = await WorkerUnderTest.start(listen, HANDLER, { protocol: "text" });
  await worker.next("ready");
  const held = await linePeer(tcpTarget(listen));
  expect(await ask(held, "before")).toBe(worker.pid);
  const parked = worker.next("parked");
  const ready = worker.next("ready");
  worker.send({ type: "park", graceful: true });
  worker.send({ type: "unpark" });
  // The held connection is still served while the park waits for it.
  expect(await ask(held, "during the park")).toBe(worker.pid);
  expect(worker.messages.some((m) => m.type === "parked")).toBe(false);
  held.end();
  await parked;
  await ready;
  const types = worker.messages.map((m) => m.type).filter((type) => type === "parked" || type === "ready");
  expect(types).toEqual(["ready", "parked", "ready"]);
  const peer = await linePeer(tcpTarget(listen));
  expect(await ask(peer, "after")).toBe(worker.pid);
  peer.end();
});
