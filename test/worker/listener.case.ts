// The contract every listener kind meets, against the real master and worker processes; each kind's file runs it with its driver.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionsResponse, ListResponse, StatusProcess, StoredEvent } from "../../src/admin/contract.ts";
import { AppUnderTest, isAlive } from "../support/app-under-test.ts";
import type { Peer } from "../support/listener-peers.ts";
import { within } from "../support/wait.ts";
import { probationCase } from "./listener-probation.case.ts";

/** maxPackageSize (and maxBodySize for http) of the group under test. */
export const LIMIT = 4096;

/** Names of the cases, for a driver's `skip` list. */
export type ListenerCase = "address" | "roundTrip" | "bytes" | "oversize" | "probation" | "gracefulDrain" | "forcedDrain" | "forcedStop";

export interface ListenerDriver<P extends Peer = Peer> {
  kind: string;
  /** The listen URL written in app.json; `scratch` is a fresh temporary folder (for a unix socket path). */
  listen(scratch: string): string;
  /** The group's settings past name, listen, count and handler: protocol, limits. */
  settings: Record<string, unknown>;
  /** A new client at the address the status reported. */
  connect(listen: string): Promise<P>;
  /** Sends `payload` (past the limit) on `peer` and checks the refusal this kind gives (a 413, a close code, a close, no reply). */
  refuseOversize(peer: P, payload: string): Promise<void>;
  /** Checks how a drain closed `peer`, where the kind says (websocket: close code 1001, going away). */
  drainClose?: (peer: P) => void;
  /** Whether GET /api/connections lists this kind's connections (http requests and udp datagrams are not connections there). */
  listsConnections: boolean;
  /** A case this kind cannot have, with the reason it is skipped. */
  skip?: Partial<Record<ListenerCase, string>>;
  /** This kind's own cases, run on the same app after the message cases and before the drains (which replace and stop it). */
  extra?: (ctx: SuiteContext<P>) => void;
}

const ECHO = `export default {
  onWorkerReload() { console.log("reload reached pid " + process.pid); },
  onMessage(conn, data) { conn.send("pid " + process.pid + ": " + String(data)); },
  async fetch(request) { return new Response("pid " + process.pid + ": " + (await request.text())); },
};`;

/** What the cases share: the running app, the address it reported, and clients that are ended after each case. */
export interface SuiteContext<P extends Peer = Peer> {
  app: () => AppUnderTest;
  /** The listen URL in app.json, and the address the status reported for it. */
  configured: () => string;
  listen: () => string;
  /** A new client (ended after the case). */
  open: () => Promise<P>;
  /** Sends `message` on `peer` and returns the pid that echoed it. */
  ask: (peer: Peer, message: string) => Promise<number>;
  row: (pid: number) => Promise<StatusProcess | undefined>;
}

export function pidOf(reply: string): number {
  const match = /^pid (\d+): /.exec(reply);
  if (!match) throw new Error(`not an echo reply: ${JSON.stringify(reply.slice(0, 80))}`);
  return Number(match[1]);
}

export function runListenerSuite<P extends Peer>(driver: ListenerDriver<P>): void {
  describe(`${driver.kind}: listener contract`, () => {
    let app: AppUnderTest | undefined;
    let scratch = "";
    let configured = "";
    let listen = "";
    const peers: Peer[] = [];
    const ctx: SuiteContext<P> = {
      app: () => app!,
      configured: () => configured,
      listen: () => listen,
      async open() {
        const peer = await driver.connect(listen);
        peers.push(peer);
        return peer;
      },
      async ask(peer, message) {
        peer.send(message);
        const reply = await peer.reply();
        expect(reply.slice(reply.indexOf(": ") + 2)).toBe(message);
        return pidOf(reply);
      },
      row: async (pid) => (await app!.status()).processes.find((p) => p.pid === pid),
    };

    beforeAll(async () => {
      scratch = mkdtempSync(join(tmpdir(), "wm-listener-"));
      configured = driver.listen(scratch);
      app = await AppUnderTest.start({
        workers: [{ name: "l", listen: configured, count: 1, handler: "./echo.ts", ...driver.settings }],
        files: { "echo.ts": ECHO },
        // No settle window: the drain cases reload twice and the health gate is not what they test.
        extra: { reload: { healthySeconds: 0 } },
      });
      listen = (await app.status()).groups.find((g) => g.name === "l")!.listen;
    }, 30_000);
    afterEach(() => {
      for (const peer of peers.splice(0)) peer.end();
    });
    afterAll(async () => {
      await app?.[Symbol.asyncDispose]();
      rmSync(scratch, { recursive: true, force: true });
    });

    const it = (id: ListenerCase, name: string, body: () => Promise<void>) => {
      const reason = driver.skip?.[id];
      if (reason) test.skip(`${name} (skipped for ${driver.kind}: ${reason})`, body);
      else test(name, body, 30_000);
    };
    messageCases(driver, ctx, it);
    driver.extra?.(ctx);
    probationCase(driver, ctx, it);
    drainCases(driver, ctx, it);
  });
}

type It = (id: ListenerCase, name: string, body: () => Promise<void>) => void;

function messageCases<P extends Peer>(driver: ListenerDriver<P>, ctx: SuiteContext<P>, it: It): void {
  it("address", "port 0 (unix: a temporary path) binds, and the status reports the real address for the group and its process", async () => {
    const configured = ctx.configured();
    const status = await ctx.app().status();
    const reported = ctx.listen();
    if (configured.endsWith(":0")) {
      expect(reported.slice(0, reported.lastIndexOf(":"))).toBe(configured.slice(0, -2));
      expect(Number(reported.slice(reported.lastIndexOf(":") + 1))).toBeGreaterThan(0);
    } else {
      expect(reported).toBe(configured);
      expect(statSync(new URL(reported).pathname).isSocket()).toBe(true);
    }
    expect(status.processes.filter((p) => p.group === "l").map((p) => [p.state, p.listen])).toEqual([["ready", reported]]);
    // The start table the operator sees prints it too.
    expect(ctx.app().output.some((line) => /^l\s/.test(line) && line.includes(` ${reported} `))).toBe(true);
    // The reported address is the one that serves.
    expect(await ctx.ask(await ctx.open(), "hello")).toBe(status.processes.find((p) => p.group === "l")!.pid!);
  });

  it("roundTrip", "messages round-trip through the echo handler, in order, on one connection", async () => {
    const peer = await ctx.open();
    const messages = ["one", "héllo wörld ✓", "x".repeat(LIMIT / 2)];
    for (const message of messages) peer.send(message);
    const replies = [await peer.reply(), await peer.reply(), await peer.reply()];
    expect(replies.map((r) => r.slice(r.indexOf(": ") + 2))).toEqual(messages);
    expect(new Set(replies.map(pidOf)).size).toBe(1);
  });

  it("bytes", "byte counters move by at least the bytes sent and received, per connection and per process", async () => {
    const peer = await ctx.open();
    const pid = await ctx.ask(peer, "warm-up");
    const before = (await ctx.row(pid))!;
    const payload = "b".repeat(LIMIT - 100);
    peer.send(payload);
    const reply = await peer.reply();
    const sent = Buffer.byteLength(payload);
    const received = Buffer.byteLength(reply);
    if (driver.listsConnections) {
      const { items } = await ctx.app().api<ConnectionsResponse>(`/api/connections?group=l&pid=${pid}`);
      expect(items.some((c) => c.bytesRead >= sent && c.bytesWritten >= received)).toBe(true);
    }
    // The process figures arrive with the worker's next stats report (each second).
    await ctx.app().waitFor(
      async () => {
        const now = await ctx.row(pid);
        return now !== undefined && now.bytesRead >= before.bytesRead + sent && now.bytesWritten >= before.bytesWritten + received;
      },
      5000,
      `bytesRead +${sent} and bytesWritten +${received} in the status of pid ${pid} (was ${before.bytesRead} / ${before.bytesWritten})`,
    );
  });

  it("oversize", "a message past the limit is refused on its own connection only, counted, and the same pid serves a new client", async () => {
    const bystander = await ctx.open();
    const pid = await ctx.ask(bystander, "before");
    const errorsBefore = (await ctx.row(pid))!.protocolErrors;
    await driver.refuseOversize(await ctx.open(), "o".repeat(LIMIT + 500));
    expect(await ctx.ask(bystander, "still here")).toBe(pid);
    expect(await ctx.ask(await ctx.open(), "new client")).toBe(pid);
    await ctx.app().waitFor(async () => (await ctx.row(pid))!.protocolErrors === errorsBefore + 1, 5000, `protocolErrors ${errorsBefore} + 1 on pid ${pid}`);
  });
}

/** The app's stopTimeout (1 s, set by AppUnderTest) plus room for a busy machine. */
const DRAIN_DEADLINE_MS = 1000 + 5000;

/** `pid` exits by itself, code 0 (the event log's process-exited): its listener ended the drain, not the master's SIGKILL. */
export async function exitsCleanly(app: AppUnderTest, pid: number): Promise<void> {
  await app.waitFor(() => !isAlive(pid), DRAIN_DEADLINE_MS, `pid ${pid} to exit`);
  const exit = await app.waitFor(async () => {
    const { items } = await app.api<ListResponse<StoredEvent>>("/api/events/log?limit=50");
    return items.find((e) => e.type === "process-exited" && e.pid === pid);
  });
  expect([exit.data.code, exit.data.signal]).toEqual([0, null]);
}

function drainCases<P extends Peer>(driver: ListenerDriver<P>, ctx: SuiteContext<P>, it: It): void {
  const reload = (graceful: boolean) => ctx.app().api("/api/reload", { method: "POST", body: JSON.stringify({ graceful }) });
  /** The old process has run onWorkerReload, which it does just before its listener starts draining. */
  const drainStarted = (pid: number) =>
    ctx.app().waitFor(() => ctx.app().output.some((line) => line.includes(`reload reached pid ${pid}`)), 10_000, `pid ${pid} to start draining`);
  const gone = (pid: number) => exitsCleanly(ctx.app(), pid);

  it("gracefulDrain", "graceful reload: a message in flight on an open connection is answered by the old pid before it exits", async () => {
    const peer = await ctx.open();
    const pid = await ctx.ask(peer, "first");
    const finish = peer.begin("in flight");
    await reload(true);
    await drainStarted(pid);
    finish();
    expect(await peer.reply()).toBe(`pid ${pid}: in flight`);
    expect(isAlive(pid)).toBe(true);
    peer.end();
    await gone(pid);
    expect(await ctx.ask(await ctx.open(), "after")).not.toBe(pid);
  });

  it("forcedDrain", "reload: an open connection with a message half-sent is closed once stopTimeout has passed, and the old pid exits", async () => {
    const peer = await ctx.open();
    const pid = await ctx.ask(peer, "first");
    peer.begin("never finished");
    await reload(false);
    await drainStarted(pid);
    await within(peer.closed, DRAIN_DEADLINE_MS, `the connection to pid ${pid} closed by the drain`);
    driver.drainClose?.(peer);
    await gone(pid);
    expect(await ctx.ask(await ctx.open(), "after")).not.toBe(pid);
  });

  it("forcedStop", "stop (last case): an open connection is closed once stopTimeout has passed, the master exits 0 and no worker is left", async () => {
    const peer = await ctx.open();
    const pid = await ctx.ask(peer, "first");
    peer.begin("never finished");
    ctx.app().master.kill("SIGTERM");
    await within(peer.closed, DRAIN_DEADLINE_MS, `the connection to pid ${pid} closed by the stop`);
    driver.drainClose?.(peer);
    expect(await within(ctx.app().master.exited, DRAIN_DEADLINE_MS, "the master's exit")).toBe(0);
    expect(isAlive(pid)).toBe(false);
  });
}
