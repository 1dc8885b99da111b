// The examples/push app end to end: signed-cookie WebSocket admission (403 otherwise, counted) and the signed control listener.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sendControl } from "../../examples/push/control-client.ts";
import { signToken } from "../../examples/push/token.ts";
import { AppUnderTest, cliCommand, REPO } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";
import { waitFor } from "../support/wait.ts";

const PUSH = join(REPO, "examples/push");
const SECRET = "test-secret-0123456789abcdef";
const ORIGIN = "https://app.example.test";
const LIFETIME = 3600;

function cookieOf(signed: { token: string; time: string; digest: string }): string {
  return `token=${encodeURIComponent(signed.token)}; time=${signed.time}; digest=${signed.digest}`;
}

/** The status code a WebSocket handshake gets, read off the raw socket. */
async function handshakeStatus(port: number, headers: Record<string, string>): Promise<number> {
  const client = await streamClient({ port });
  const lines = [
    "GET / HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  client.write(lines.join("\r\n") + "\r\n\r\n");
  const text = await client.until((t) => t.includes("\r\n"));
  client.socket.end();
  return Number(text.split(" ")[1]);
}

async function openPushSocket(port: number, cookie: string) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Origin: ORIGIN, Cookie: cookie } } as unknown as string[]);
  const inbox: string[] = [];
  let wake = () => {};
  let probed = false;
  ws.addEventListener("message", (e) => {
    // Probes from reachable() only tell that the uid is routed; the assertions never see them.
    if (!String(e.data).startsWith("probe ")) inbox.push(String(e.data));
    probed = true;
    wake();
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error("refused")));
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no push arrived")), 3000);
      // Once resolved, a stale waker must not take a later message off the inbox.
      const check = () => (inbox.length ? (clearTimeout(timer), (wake = () => {}), resolve(inbox.shift()!)) : (wake = check));
      check();
    });
  /** The uid is bound in the worker at once but reaches the master's routing table over IPC a moment later: wait for that. */
  const reachable = async (control: { unix: string }, uid: string) => {
    let sent = 0;
    const probe = async () => probed || (await sendControl(control, SECRET, { uid }, `probe ${sent++}`), false);
    await waitFor(probe, { timeoutMs: 5000, intervalMs: 50, what: `uid ${uid} to be reachable (a probe delivered)` });
  };
  return { ws, next, reachable };
}

type Envelope = { stream: "all" | "mine"; offset: number; epoch: string; data: string };
type Resumed = { resumed: Record<"all" | "mine", { recovered: boolean; epoch: string; offset: number }> };

/** A client that opts into resuming: it keeps every envelope, and reconnects from the last position of each stream. */
async function openResumingSocket(port: number, cookie: string, from: Envelope[] = []) {
  const last = (stream: string) => from.filter((e) => e.stream === stream).at(-1);
  const query = ["resume", ...(["all", "mine"] as const).flatMap((s) => (last(s) ? [`${s}=${last(s)!.offset}.${last(s)!.epoch}`] : []))].join("&");
  const ws = new WebSocket(`ws://127.0.0.1:${port}/?${query}`, { headers: { Origin: ORIGIN, Cookie: cookie } } as unknown as string[]);
  const envelopes: Envelope[] = [];
  const resumed = Promise.withResolvers<Resumed["resumed"]>();
  let wake = () => {};
  ws.addEventListener("message", (e) => {
    const frame = JSON.parse(String(e.data)) as Envelope | Resumed;
    if ("resumed" in frame) resumed.resolve(frame.resumed);
    else if (!frame.data.startsWith("probe ")) envelopes.push(frame);
    wake();
  });
  const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
  const until = async (data: string) => {
    while (!envelopes.some((e) => e.data === data))
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${data}; got ${JSON.stringify(envelopes)}`)), 5000);
        wake = () => (clearTimeout(timer), resolve());
      });
    return envelopes;
  };
  return { ws, envelopes, resumed: resumed.promise, closed, until };
}

describe("examples/push", () => {
  let app: AppUnderTest;
  let port: number;
  let control: { unix: string };

  beforeAll(async () => {
    const socket = `/tmp/wm-push-control-${process.pid}.sock`;
    control = { unix: socket };
    const env = { PUSH_SECRET: SECRET, PUSH_ORIGINS: `${ORIGIN}, http://localhost:8080`, PUSH_TOKEN_LIFETIME: String(LIFETIME) };
    app = await AppUnderTest.start({
      workers: [
        { name: "push", listen: "websocket://127.0.0.1:0", count: 2, handler: join(PUSH, "push.ts"), env },
        { name: "control", listen: `unix://${socket}`, protocol: "frame", handler: join(PUSH, "control.ts"), env },
      ],
      extra: { reload: { healthySeconds: 0.2 }, channel: { history: { size: 100, ttlSeconds: 300 } } },
    });
    port = await app.port("push");
  }, 30_000);

  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
  });

  test("its own app.json is valid", async () => {
    const check = Bun.spawn([...cliCommand(), "check", "--config", join(PUSH, "app.json")], { stdout: "pipe", stderr: "pipe" });
    expect(await check.exited).toBe(0);
  });

  test("the right token from an allowed origin connects and receives direct and broadcast messages from the control listener", async () => {
    const alice = await openPushSocket(port, cookieOf(signToken(SECRET, "alice")));
    const bob = await openPushSocket(port, cookieOf(signToken(SECRET, "bob")));
    await alice.reachable(control, "alice");
    await bob.reachable(control, "bob");
    expect(await sendControl(control, SECRET, { uid: "alice" }, "for alice only")).toEqual({ ok: true });
    expect(await alice.next()).toBe("for alice only");
    expect(await sendControl(control, SECRET, { all: true }, "for everyone")).toEqual({ ok: true });
    expect(await bob.next()).toBe("for everyone"); // bob got nothing but probes before: his first message is the broadcast
    expect(await alice.next()).toBe("for everyone");
    alice.ws.close();
    bob.ws.close();
  });

  test("the control listener refuses a command signed with another secret, and nothing is sent", async () => {
    const carol = await openPushSocket(port, cookieOf(signToken(SECRET, "carol")));
    await carol.reachable(control, "carol");
    expect(await sendControl(control, "not-the-secret-at-all", { all: true }, "forged")).toEqual({ ok: false, error: "bad signature" });
    expect(await sendControl(control, SECRET, { uid: "carol" }, "genuine")).toEqual({ ok: true });
    expect(await carol.next()).toBe("genuine");
    carol.ws.close();
  });

  test("expired time, bad digest, wrong origin and missing cookies get 403, and each refusal is counted", async () => {
    const before = (await (await fetch(`http://127.0.0.1:${port}/refusals`)).json()) as { refusals: Record<string, number> };
    const now = Math.floor(Date.now() / 1000);
    const good = cookieOf(signToken(SECRET, "dave"));
    expect(await handshakeStatus(port, { Origin: ORIGIN, Cookie: good })).toBe(101);
    expect(await handshakeStatus(port, { Origin: ORIGIN, Cookie: cookieOf(signToken(SECRET, "dave", now - LIFETIME - 5)) })).toBe(403);
    const forged = { ...signToken(SECRET, "dave"), token: "mallory" }; // digest of another token
    expect(await handshakeStatus(port, { Origin: ORIGIN, Cookie: cookieOf(forged) })).toBe(403);
    expect(await handshakeStatus(port, { Origin: ORIGIN, Cookie: cookieOf(signToken("wrong-secret-0123456789", "dave")) })).toBe(403);
    expect(await handshakeStatus(port, { Origin: "https://evil.example", Cookie: good })).toBe(403);
    expect(await handshakeStatus(port, { Cookie: good })).toBe(403);
    expect(await handshakeStatus(port, { Origin: ORIGIN })).toBe(403);

    const after = (await (await fetch(`http://127.0.0.1:${port}/refusals`)).json()) as { processes: number; refusals: Record<string, number> };
    expect(after.processes).toBe(2); // summed over both push processes
    const delta = (key: string) => after.refusals[key]! - (before.refusals[key] ?? 0);
    expect({ expired: delta("expired"), digest: delta("digest"), origin: delta("origin"), missing: delta("missing") }).toEqual({
      expired: 1,
      digest: 2,
      origin: 2,
      missing: 1,
    });
  });

  test("a client that resumes misses nothing across a reload of the push processes: broadcasts and its own messages", async () => {
    const cookie = cookieOf(signToken(SECRET, "erin"));
    const first = await openResumingSocket(port, cookie);
    expect((await first.resumed).all.recovered).toBe(false); // a first visit has nothing to recover
    let sent = 0;
    const probe = async () => first.envelopes.length > 0 || (await sendControl(control, SECRET, { uid: "erin" }, `before ${sent++}`), false);
    await waitFor(probe, { timeoutMs: 5000, intervalMs: 50, what: "erin to be reachable (a direct message delivered)" });
    await sendControl(control, SECRET, { all: true }, "broadcast before");
    await first.until("broadcast before");
    await app.api("/api/reload", { method: "POST", body: JSON.stringify({ group: "push" }) });
    expect(await first.closed).toBe(1001);
    // While erin is away: the control listener is not reloaded and keeps accepting pushes.
    for (const [to, data] of [
      [{ all: true }, "missed 1"],
      [{ uid: "erin" }, "missed 2"],
      [{ all: true }, "missed 3"],
    ] as const) {
      expect(await sendControl(control, SECRET, to, data)).toEqual({ ok: true });
    }
    const back = await openResumingSocket(port, cookie, first.envelopes);
    const resumed = await back.resumed;
    expect(resumed.all.recovered && resumed.mine.recovered).toBe(true);
    expect(back.envelopes.map((e) => e.data).sort()).toEqual(["missed 1", "missed 2", "missed 3"]);
    expect(back.envelopes.filter((e) => e.stream === "all").map((e) => e.data)).toEqual(["missed 1", "missed 3"]);
    await sendControl(control, SECRET, { all: true }, "live again");
    await back.until("live again");
    back.ws.close();
  }, 30_000);

  test("without PUSH_SECRET the app does not start, and says why", async () => {
    const started = AppUnderTest.start({
      workers: [{ name: "push", listen: "websocket://127.0.0.1:0", handler: join(PUSH, "push.ts"), env: { PUSH_ORIGINS: ORIGIN } }],
    });
    await expect(started).rejects.toThrow(/PUSH_SECRET must be set/);
  });
});
