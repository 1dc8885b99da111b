// Query numbers are read as written (no hex, exponents or blanks), durations stay whole, and push --keep needs a history.
import { expect, test } from "bun:test";
import { HistoryRules } from "../../src/channel/master/history-rules.ts";
import { durationParam, intParam } from "../../src/admin/query-params.ts";
import { adminFixture, TOKEN } from "./admin-fixture.ts";

test("intParam takes decimal digits only: 0x10, 1e1, ' 5' and 5.0 are refused, naming the parameter", () => {
  expect(intParam("16", "limit", 1, 1, 100)).toBe(16);
  expect(intParam("-3", "n", 0, -5, 5)).toBe(-3);
  for (const bad of ["0x10", "1e1", " 5", "5.0", "0b1", "Infinity"]) {
    expect(() => intParam(bad, "limit", 1, 1, 100)).toThrow(`limit must be a whole number from 1 to 100, not "${bad}"`);
  }
});

test("durationParam: whole seconds with a unit, up to a year; 1e20 and an enormous number are refused", () => {
  expect(durationParam("5m", "step", 1)).toBe(300);
  expect(durationParam("366d", "step", 1)).toBe(366 * 86400);
  for (const bad of ["1e20", "100000000000000000000", "367d", "0", "1.5"]) expect(() => durationParam(bad, "step", 1)).toThrow("step must be");
});

test("GET with limit=0x10 or step=1e20 answers 400 E_USAGE naming the parameter", async () => {
  using fixture = adminFixture();
  const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
  for (const path of ["/api/events/log?limit=0x10", "/api/metrics/history?step=1e20"]) {
    const response = await fixture.request(path, auth);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("E_USAGE");
  }
});

test("push with keep to a group that keeps no history is refused, naming channel.history; nothing is sent", async () => {
  using fixture = adminFixture();
  const sent: unknown[] = [];
  fixture.ctx.channel = { rules: new HistoryRules(undefined), push: async (to) => (sent.push(to), { processes: 1, cluster: "off" }) };
  const post = (to: unknown) =>
    fixture.request("/api/push", {
      method: "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", Origin: "http://127.0.0.1:9090" },
      body: JSON.stringify({ to, data: "x" }),
    });
  const refused = await post({ group: "room", keep: true });
  expect(refused.status).toBe(400);
  const body = (await refused.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("E_USAGE");
  expect(body.error.message).toContain("channel.history");
  expect(sent).toEqual([]);
  expect((await post({ group: "room" })).status).toBe(202);
  expect(sent).toEqual([{ group: "room" }]);
});
