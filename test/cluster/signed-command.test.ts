// Signed cluster commands checked without Redis: a good one passes once; unsigned, forged, replayed, late ones and any with commands off are refused.
import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { CommandBus } from "../../src/cluster/command-bus.ts";
import { CommandGuard, signCommand, WINDOW_MS } from "../../src/cluster/signed-command.ts";

const SECRET = Buffer.from("a".repeat(64));

describe("CommandGuard", () => {
  test("a signed command passes once; the same again is a replay", () => {
    const guard = new CommandGuard(SECRET);
    const command = signCommand(SECRET, "A", "B", "reload", { rid: "A:1", graceful: true });
    expect(guard.check(command)).toEqual({ ok: true, body: { rid: "A:1", graceful: true } });
    expect(guard.check(command)).toEqual({ ok: false, reason: "replayed" });
  });

  test("the signature is node:crypto's HMAC-SHA256 of the fields and the nonce 16 random bytes: instances of an older build (node:crypto) and this one (Bun's hasher) accept each other's commands", () => {
    const command = signCommand(SECRET, "A", "B", "reload", { rid: "A:1" }, 1_000);
    const text = ["wm-cmd-v1", "A", "B", "1000", command.nonce, "reload", command.b].join("\n");
    expect(command.sig).toBe(createHmac("sha256", SECRET).update(text).digest("hex"));
    expect(command.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(signCommand(SECRET, "A", "B", "reload", {}).nonce).not.toBe(command.nonce);
    const fromOlder = { ...command, nonce: "f".repeat(32) };
    const older = ["wm-cmd-v1", "A", "B", "1000", fromOlder.nonce, "reload", command.b].join("\n");
    const guard = new CommandGuard(SECRET, () => 1_000);
    expect(guard.check({ ...fromOlder, sig: createHmac("sha256", SECRET).update(older).digest("hex") }).ok).toBe(true);
  });

  test("unsigned, signed with another secret, or with any field changed after signing: refused", () => {
    const guard = new CommandGuard(SECRET);
    const command = signCommand(SECRET, "A", "B", "reload", { rid: "A:1" });
    expect(guard.check({ ...command, sig: undefined })).toEqual({ ok: false, reason: "unsigned" });
    expect(guard.check(signCommand(Buffer.from("b".repeat(64)), "A", "B", "reload", {}))).toEqual({ ok: false, reason: "bad signature" });
    for (const changed of [{ to: "C" }, { from: "X" }, { kind: "stop" }, { b: '{"rid":"A:2"}' }, { ts: command.ts + 1 }, { nonce: "0".repeat(32) }]) {
      expect(guard.check({ ...command, ...changed })).toEqual({ ok: false, reason: "bad signature" });
    }
    expect(guard.check({ ...command, sig: "zz" })).toEqual({ ok: false, reason: "bad signature" });
    // None of those used up the nonce: the genuine command still passes.
    expect(guard.check(command).ok).toBe(true);
  });

  test("outside the time window either way: refused (a replay after the nonce is forgotten cannot pass)", () => {
    let now = 1_000_000;
    const guard = new CommandGuard(SECRET, () => now);
    const old = signCommand(SECRET, "A", "B", "reload", {}, now - WINDOW_MS - 1);
    const future = signCommand(SECRET, "A", "B", "reload", {}, now + WINDOW_MS + 1);
    expect(guard.check(old)).toEqual({ ok: false, reason: "outside the time window" });
    expect(guard.check(future)).toEqual({ ok: false, reason: "outside the time window" });
    const fresh = signCommand(SECRET, "A", "B", "reload", {}, now);
    expect(guard.check(fresh).ok).toBe(true);
    now += WINDOW_MS + 1;
    expect(guard.check(fresh)).toEqual({ ok: false, reason: "outside the time window" });
  });

  test("without a secret every command is refused: commands off", () => {
    expect(new CommandGuard(null).check(signCommand(SECRET, "A", "B", "reload", {}))).toEqual({ ok: false, reason: "commands off" });
  });
});

describe("CommandBus", () => {
  test("only commands addressed to this instance are checked and counted; replies go to their waiter, others to the handler", () => {
    const refused: string[] = [];
    const handled: string[] = [];
    const bus = new CommandBus({
      link: { publishCommand: () => true },
      self: "B",
      secret: SECRET,
      handle: (kind, _body, from) => handled.push(`${from}:${kind}`),
      refused: (from, kind, reason) => refused.push(`${from}:${kind}:${reason}`),
    });
    const replies: unknown[] = [];
    bus.expect("B:1", (body) => replies.push(body));
    bus.receive(JSON.stringify({ ...signCommand(SECRET, "A", "C", "reload", {}), sig: undefined }));
    bus.receive("not json");
    expect(bus.counts).toEqual({ accepted: 0, refused: {} });
    bus.receive(JSON.stringify({ ...signCommand(SECRET, "A", "B", "reload", {}), sig: undefined }));
    bus.receive(JSON.stringify(signCommand(SECRET, "A", "B", "reload", { rid: "A:1" })));
    bus.receive(JSON.stringify(signCommand(SECRET, "A", "B", "reply", { rid: "B:1", phase: "begun" })));
    expect(refused).toEqual(["A:reload:unsigned"]);
    expect(handled).toEqual(["A:reload"]);
    expect(replies).toEqual([{ rid: "B:1", phase: "begun" }]);
    expect(bus.counts).toEqual({ accepted: 2, refused: { unsigned: 1 } });
  });
});
