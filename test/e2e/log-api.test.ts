// GET /api/logs over the admin app (app.request): filters, the cursor, and the bounds a noisy handler cannot pass.
import { expect, test } from "bun:test";
import type { LogsResponse } from "../../src/admin/contract.ts";
import { RecentLog } from "../../src/master/recent-log.ts";
import { adminFixture, TOKEN } from "../admin/admin-fixture.ts";

const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };

function withLog() {
  const fixture = adminFixture();
  const logs = new RecentLog();
  fixture.ctx.logs = logs;
  return { fixture, logs, get: async (query: string) => (await fixture.request(`/api/logs?${query}`, auth)).json() as Promise<LogsResponse> };
}

test("filters by group (master for its own lines) and pid; after= returns only what came since", async () => {
  const { fixture, logs, get } = withLog();
  using _ = fixture;
  logs.push("[master 10] started");
  logs.push("[web#0 11] a");
  logs.push("[web#1 12] b");
  logs.push("[chat#0 13] c");
  expect((await get("group=web")).items.map((l) => l.text)).toEqual(["a", "b"]);
  expect((await get("group=master")).items).toEqual([expect.objectContaining({ source: "master", pid: 10, text: "started" })]);
  expect((await get("pid=12")).items).toEqual([expect.objectContaining({ group: "web", index: 1, pid: 12, text: "b" })]);
  const first = await get("n=2");
  expect(first.items.map((l) => l.text)).toEqual(["b", "c"]);
  logs.push("[web#0 11] d");
  expect((await get(`after=${first.lastSeq}`)).items.map((l) => l.text)).toEqual(["d"]);
  expect((await fixture.request("/api/logs")).status).toBe(401);
  expect((await fixture.request("/api/logs?n=5000", auth)).status).toBe(400);
});

test("a noisy handler costs a fixed amount: lines are cut at 4 KiB, only the last 2000 are kept", async () => {
  const { fixture, logs, get } = withLog();
  using _ = fixture;
  logs.push(`[web#0 11] ${"x".repeat(100_000)}`);
  const [long] = (await get("n=1")).items;
  expect(long!.text.length).toBeLessThan(4200);
  for (let i = 0; i < 2500; i++) logs.push(`[web#0 11] line ${i}`);
  const kept = await get("n=2000");
  expect(kept.items).toHaveLength(2000);
  expect(kept.items[0]!.text).toBe("line 500");
  expect(kept.items.at(-1)!.text).toBe("line 2499");
});

test("follow=1 streams NDJSON; a 17th follower is refused, not the master", async () => {
  const { fixture, logs } = withLog();
  using _ = fixture;
  const followers = await Promise.all(Array.from({ length: 16 }, () => fixture.request("/api/logs?follow=1&n=1", auth)));
  expect(followers.every((r) => r.status === 200 && r.headers.get("content-type")!.includes("ndjson"))).toBe(true);
  expect((await fixture.request("/api/logs?follow=1", auth)).status).toBe(503);
  const reader = followers[0]!.body!.getReader();
  logs.push("[web#0 11] live line");
  let text = "";
  while (!text.includes("live line")) text += new TextDecoder().decode((await reader.read()).value);
  expect(JSON.parse(text.trim().split("\n").at(-1)!)).toMatchObject({ group: "web", text: "live line" });
  for (const r of followers) await r.body!.cancel().catch(() => {});
});
