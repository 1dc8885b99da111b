// Partial-input floods on the compiled executable: a worker's memory stays within maxBufferedInput + 48 MiB, and it keeps serving.
import { beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { AppUnderTest } from "../support/app-under-test.ts";
import { ensureBinary } from "../support/binary.ts";
import { askLine, frame } from "../support/clients.ts";
import { asChunk, CHUNKED_PREAMBLE, partialFlood, peakRss, rssOf } from "../support/floods.ts";

const MiB = 1024 * 1024;
const BUDGET = 64 * MiB;
const CONNECTIONS = 100;
const EACH = 9.5 * 1e6;
/**
 * Above the budget: the code pages the flood touches (~6 MiB) and what was freed since the last forced collection.
 * Measured +77..90 MiB in all (bench/input-flood-rss.ts, 10 ms samples, also beside 2 and 4 busy processes); before
 * buffers were freed at once, +103..121, and one CI run saw +128.2.
 */
const SLACK = 48 * MiB;

beforeAll(() => ensureBinary(), 120_000);

/** The compiled executable with one http group whose handler reads the whole body and answers with its length. */
function bodyApp(): Promise<AppUnderTest> {
  return AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "web", listen: "http://127.0.0.1:0", handler: "./web.ts" }],
    files: { "web.ts": `export default { fetch: async (r) => new Response("got " + (await r.arrayBuffer()).byteLength) };` },
  });
}

/** The worker reports its counters once a second: a flood shed within its first second shows at the next report. */
function shedShows(app: AppUnderTest, group: string, pid: number): Promise<unknown> {
  const shed = new RegExp(`workerman_input_shed_total\\{group="${group}",pid="${pid}"\\} [1-9]`);
  const metrics = () => fetch(`${app.adminUrl}/metrics`, { headers: { Authorization: `Bearer ${app.token}` } }).then((r) => r.text());
  return app.waitFor(async () => (await metrics()).match(shed), 5000, "the shed in /metrics");
}

test(`${CONNECTIONS} text:// connections x 9.5 MB with no newline: worker RSS grows less than maxBufferedInput + 48 MiB, the heaviest are shed`, async () => {
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [{ name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts" }],
    files: { "h.ts": `export default { onMessage(conn, line) { conn.send("echo " + line.length); } };` },
  });
  const port = await app.port("text");
  const [pid] = await app.pids("text");
  const before = rssOf(pid!);
  const flood = partialFlood({ port }, CONNECTIONS, EACH);
  const peak = await peakRss(pid!, flood);
  const { closedByServer, sockets } = await flood;
  try {
    console.log(`text flood: worker RSS ${mb(before)} -> peak ${mb(peak)} MB (+${mb(peak - before)}); ${closedByServer} of ${CONNECTIONS} shed`);
    expect(peak - before).toBeLessThan(BUDGET + SLACK);
    expect(closedByServer).toBeGreaterThan(0);
    // Still serving, and the shed are counted.
    expect(await askLine({ port }, "hello")).toBe("echo 5");
    const row = await app.waitFor(async () => (await app.status()).processes.find((p) => p.group === "text" && p.pid === pid));
    expect(row.restarts ?? 0).toBe(0);
    expect(await shedShows(app, "text", pid!)).toBeTruthy();
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}, 120_000);

test(`${CONNECTIONS} chunked HTTP bodies of 9.5 MB without their final chunk: worker RSS grows less than maxBufferedInput + 48 MiB`, async () => {
  await using app = await bodyApp();
  const port = await app.port("web");
  const [pid] = await app.pids("web");
  const before = rssOf(pid!);
  const flood = partialFlood({ port }, CONNECTIONS, EACH, CHUNKED_PREAMBLE, asChunk);
  const peak = await peakRss(pid!, flood);
  const { closedByServer, sockets } = await flood;
  try {
    console.log(`chunked flood: worker RSS ${mb(before)} -> peak ${mb(peak)} MB (+${mb(peak - before)}); ${closedByServer} of ${CONNECTIONS} shed`);
    expect(peak - before).toBeLessThan(BUDGET + SLACK);
    expect(closedByServer).toBeGreaterThan(0);
    const served = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(100_000) });
    expect(await served.text()).toBe("got 100000");
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}, 120_000);

test("2,000 bodies of 60 KB (under the read-first size) that never finish: counted while their handlers wait, so the worker stays within maxBufferedInput + 48 MiB, sheds the excess, and serves once they are gone", async () => {
  await using app = await bodyApp();
  const port = await app.port("web");
  const [pid] = await app.pids("web");
  const before = rssOf(pid!);
  // Each client declares 60,000 bytes and sends 59,000 of them in one write: 118 MB in all against a 64 MiB budget.
  const body = Buffer.alloc(59_000, 97);
  const flood = partialFlood({ port }, 2000, 1, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n", () => body);
  // The clients' writes end in socket buffers: the worker is still reading a moment after.
  const peak = await peakRss(
    pid!,
    flood.then(() => Bun.sleep(1000)),
  );
  const { sockets } = await flood;
  try {
    console.log(`small-body flood: worker RSS ${mb(before)} -> peak ${mb(peak)} MB (+${mb(peak - before)})`);
    // Measured before these bodies were counted: +250 MiB for 4,000 of them, nothing refused.
    expect(peak - before).toBeLessThan(BUDGET + SLACK);
    expect(await shedShows(app, "web", pid!)).toBeTruthy();
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  // The waiting handlers end with their connections and give their bytes back: a body is served again.
  const served = () => fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: "x".repeat(30_000) }).then((r) => r.text());
  expect(await app.waitFor(async () => (await served()) === "got 30000", 10_000, "a body served after the flood")).toBeTruthy();
}, 120_000);

test("messages of megabytes arrive whole on text:// and frame://, where the worker frees each read and outgrown buffer once parsed", async () => {
  await using app = await AppUnderTest.start({
    mode: "compiled",
    workers: [
      { name: "text", listen: "text://127.0.0.1:0", handler: "./h.ts" },
      { name: "frames", listen: "frame://127.0.0.1:0", handler: "./h.ts" },
    ],
    files: { "h.ts": `export default { onMessage(conn, data) { conn.send(data.length + " " + Bun.hash(data)); } };` },
  });
  const letters = (n: number, seed: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed) % 26))).join("");
  const lines = [letters(2_500_000, 1), "short", letters(3_000_000, 2), letters(700_000, 3)];
  const bodies = [crypto.getRandomValues(new Uint8Array(3_000_000)), new Uint8Array([1, 2, 3]), crypto.getRandomValues(new Uint8Array(1_500_000))];
  const [textReplies, frameReplies] = await Promise.all([
    exchange(await app.port("text"), Buffer.from(lines.map((line) => `${line}\n`).join("")), (got) => got.toString().split("\n").slice(0, -1), lines.length),
    exchange(await app.port("frames"), Buffer.concat(bodies.map((body) => frame(body))), unframe, bodies.length),
  ]);
  expect(textReplies).toEqual(lines.map((line) => `${line.length} ${Bun.hash(line)}`));
  expect(frameReplies).toEqual(bodies.map((body) => `${body.length} ${Bun.hash(body)}`));
}, 60_000);

/** Writes `bytes` on a new connection (queued: megabytes at once) and resolves with the first `count` replies `parse` finds. */
function exchange(port: number, bytes: Buffer, parse: (got: Buffer) => string[], count: number): Promise<string[]> {
  const { promise, resolve, reject } = Promise.withResolvers<string[]>();
  const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
  const chunks: Buffer[] = [];
  const timer = setTimeout(() => reject(new Error(`${count} replies did not come; got ${Buffer.concat(chunks).toString()}`)), 30_000);
  socket.on("data", (chunk) => {
    chunks.push(Buffer.from(chunk));
    const replies = parse(Buffer.concat(chunks));
    if (replies.length < count) return;
    clearTimeout(timer);
    socket.destroy();
    resolve(replies.slice(0, count));
  });
  socket.on("error", reject);
  return promise;
}

/** The bodies of the whole frames in `got`, as text. */
function unframe(got: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 4 <= got.length && at + got.readUInt32BE(at) <= got.length; at += got.readUInt32BE(at))
    out.push(got.subarray(at + 4, at + got.readUInt32BE(at)).toString());
  return out;
}

const mb = (bytes: number) => Math.round(bytes / MiB);
