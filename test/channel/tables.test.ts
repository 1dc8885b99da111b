// The pure parts: the master's routing table, a worker's local bindings, and the push example's token and frame checks.
import { describe, expect, test } from "bun:test";
import { openCommand, ReplayGuard, signCommand } from "../../examples/push/control-frame.ts";
import { signToken, verifyCookies } from "../../examples/push/token.ts";
import { LocalBindings } from "../../src/channel/worker/local-bindings.ts";
import { RoutingTable } from "../../src/channel/master/routing-table.ts";
import type { Connection } from "../../src/worker/types.ts";

describe("RoutingTable", () => {
  test("routes to holders, counts distinct uids and group members, and forgets a process entirely", () => {
    const table = new RoutingTable();
    table.setUid(10, "ann", 2);
    table.setUid(11, "ann", 1);
    table.setUid(11, "bob", 1);
    table.setGroup(10, "g", 3);
    table.setGroup(11, "g", 1);
    table.subscribe(11, "t");
    expect([...table.uidHolders("ann")].sort()).toEqual([10, 11]);
    expect(table.uidCount()).toBe(2);
    expect(table.groupCount("g")).toBe(4);
    expect(table.takeChanges()).toEqual({
      uids: new Map([
        ["ann", true],
        ["bob", true],
      ]),
      groups: new Map([["g", 4]]),
    });

    table.dropProcess(11);
    expect([...table.uidHolders("ann")]).toEqual([10]);
    expect(table.uidOnline("bob")).toBe(false);
    expect(table.groupCount("g")).toBe(3);
    expect([...table.topicHolders("t")]).toEqual([]);
    expect(table.takeChanges()).toEqual({
      uids: new Map([
        ["ann", true],
        ["bob", false],
      ]),
      groups: new Map([["g", 3]]),
    });
    table.setGroup(10, "g", 0);
    expect(table.groups.has("g")).toBe(false);
  });
});

describe("LocalBindings", () => {
  const conn = (id: number) => ({ id }) as unknown as Connection;

  test("one uid per connection, many groups; absolute counts of what changed; forget ends everything", () => {
    const local = new LocalBindings();
    const [a, b] = [conn(1), conn(2)];
    local.bind(a, "ann");
    local.bind(b, "ann");
    local.bind(a, "amy"); // rebinding moves the connection
    local.join(a, "g");
    local.join(a, "g");
    local.join(b, "g");
    expect(local.takeChanges()).toEqual({
      uids: [
        ["ann", 1],
        ["amy", 1],
      ],
      groups: [["g", 2]],
    });
    expect(local.dirty).toBe(false);
    local.forget(a);
    expect(local.takeChanges()).toEqual({ uids: [["amy", 0]], groups: [["g", 1]] });
    // Out of every index, but what it held still answers (its onClose runs after the close).
    expect(local.uids.get("amy")).toBeUndefined();
    expect([...local.groups.get("g")!]).toEqual([b]);
    expect(local.uidOf(a)).toBe("amy");
    expect(local.groupsOf(a)).toEqual(["g"]);
    expect(local.uidsIn("g")).toEqual(["ann"]);
    expect(local.groupsOf(b)).toEqual(["g"]);
  });
});

describe("push example: cookie token", () => {
  const policy = { secret: "s".repeat(20), lifetimeSeconds: 100 };
  const cookie = (t: { token: string; time: string; digest: string }) => `token=${t.token}; time=${t.time}; digest=${t.digest}`;
  const now = 1_700_000_000;

  test("accepts the signed token within its lifetime, and refuses every kind of bad cookie", () => {
    expect(verifyCookies(cookie(signToken(policy.secret, "ann", now - 99)), policy, now)).toEqual({ token: "ann" });
    expect(verifyCookies(cookie(signToken(policy.secret, "ann", now - 101)), policy, now)).toEqual({ refused: "expired" });
    expect(verifyCookies(cookie(signToken(policy.secret, "ann", now + 3600)), policy, now)).toEqual({ refused: "expired" });
    const good = signToken(policy.secret, "ann", now);
    for (const digest of [good.digest.slice(0, 63), good.digest.replace(/^./, (c) => (c === "0" ? "1" : "0")), "zz".repeat(32), ""]) {
      expect(verifyCookies(cookie({ ...good, digest }), policy, now)).toEqual(digest === "" ? { refused: "missing" } : { refused: "digest" });
    }
    expect(verifyCookies("token=ann; time=1", policy, now)).toEqual({ refused: "missing" });
    expect(verifyCookies(null, policy, now)).toEqual({ refused: "missing" });
  });

  test("control frames: signed, fresh and well-formed only", () => {
    const secret = "k".repeat(20);
    expect(openCommand(secret, signCommand(secret, { to: { uid: "ann" }, data: "hi" }, now), now)).toMatchObject({ to: { uid: "ann" }, data: "hi" });
    expect(openCommand(secret, signCommand("other-secret-000000", { to: { all: true }, data: "x" }, now), now)).toEqual({ error: "bad signature" });
    expect(openCommand(secret, signCommand(secret, { to: { all: true }, data: "x" }, now - 61), now)).toEqual({ error: "stale or missing time" });
    expect(openCommand(secret, signCommand(secret, { to: { group: "g" } as never, data: "x" }, now), now)).toMatchObject({
      error: expect.stringContaining("to must be"),
    });
    expect(openCommand(secret, "no newline", now)).toEqual({ error: "bad signature" });
  });

  test("control frames: a frame replayed within its 60 s window is refused by the listener's guard", () => {
    const secret = "k".repeat(20);
    const guard = new ReplayGuard();
    const frame = signCommand(secret, { to: { all: true }, data: "once" }, now);
    expect(openCommand(secret, frame, now, guard)).toMatchObject({ data: "once" });
    expect(openCommand(secret, frame, now + 30, guard)).toEqual({ error: "replayed command (nonce already used)" });
    expect(openCommand(secret, signCommand(secret, { to: { all: true }, data: "again" }, now), now + 30, guard)).toMatchObject({ data: "again" });
    // A frame signed without a nonce (the old format) is refused, whatever its signature.
    const json = JSON.stringify({ to: { all: true }, data: "x", time: now });
    const unsigned = `${new Bun.CryptoHasher("sha256", secret).update(json).digest("hex")}\n${json}`;
    expect(openCommand(secret, unsigned, now, guard)).toMatchObject({ error: expect.stringContaining("nonce") });
    // Past the window the nonce is forgotten and the time check refuses the frame instead.
    expect(openCommand(secret, frame, now + 61, guard)).toEqual({ error: "stale or missing time" });
  });
});
