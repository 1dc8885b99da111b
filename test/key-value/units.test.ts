// worker.shared's parts without processes: value checks, the worker's client (timeouts, refusals), the master's SQLite store.
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { AppError } from "../../src/errors.ts";
import type { WorkerToMaster } from "../../src/ipc.ts";
import { LocalStore } from "../../src/key-value/local-store.ts";
import { migrate } from "../../src/store/migrations.ts";
import { SharedClient } from "../../src/key-value/worker-client.ts";
import { checkKey, encodeValue } from "../../src/key-value/values.ts";

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe("values", () => {
  test("canonical JSON: keys sorted at every level, so equal values have equal text", () => {
    expect(encodeValue({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: null } }, "set")).toBe('{"a":{"c":null,"d":[2,{"y":0,"z":1}]},"b":1}');
    expect(encodeValue({ when: new Date(0) }, "set")).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
  });

  test("what JSON would silently change is refused, naming the call", () => {
    for (const bad of [undefined, Number.NaN, Infinity, () => 1, 10n]) {
      expect(() => encodeValue(bad, "set")).toThrow(/^set: the value/);
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeValue(cycle, "compareAndSet")).toThrow("nested deeper than 64 levels");
  });

  test("keys: non-empty strings of at most 256 bytes", () => {
    expect(checkKey("é".repeat(128), "get")).toHaveLength(128);
    expect(() => checkKey("é".repeat(129), "get")).toThrow("258 bytes, past the 256-byte limit");
    expect(() => checkKey("", "get")).toThrow("non-empty string");
    expect(() => checkKey(7, "get")).toThrow("not 7");
  });
});

describe("the worker's client", () => {
  test("a master that does not answer: the call fails at its timeout with E_UNAVAILABLE", async () => {
    const client = new SharedClient(() => true, 50);
    const started = performance.now();
    const err = await failure(client.get("k"));
    expect(err.code).toBe("E_UNAVAILABLE");
    expect(err.message).toContain("did not answer within 50 ms");
    expect(performance.now() - started).toBeLessThan(1000);
    expect(client.pendingCalls).toBe(0);
  });

  test("a message that cannot be sent fails at once; a refused call keeps the master's code and field", async () => {
    expect((await failure(new SharedClient(() => false).incr("k"))).message).toContain("cannot be reached");
    const sent: WorkerToMaster[] = [];
    const client = new SharedClient((m) => sent.push(m) > 0);
    const call = client.set("k", "v");
    const { request } = sent[0] as Extract<WorkerToMaster, { type: "shared" }>;
    client.receive({ sid: request.sid, ok: false, code: "E_LIMIT", error: "too big", field: "shared.maxValueBytes" });
    expect(await failure(call)).toMatchObject({ code: "E_LIMIT", field: "shared.maxValueBytes", message: "too big" });
  });

  test("bad arguments fail before anything is sent", async () => {
    const client = new SharedClient(() => {
      throw new Error("sent");
    });
    expect((await failure(client.incr("k", 1.5))).field).toBe("by");
    expect((await failure(client.set("k", 1, { ttlSeconds: -1 }))).field).toBe("ttlSeconds");
    expect((await failure(client.set("k", undefined))).field).toBe("value");
  });
});

describe("the master's SQLite store", () => {
  function store(maxKeys: number) {
    const db = new Database(":memory:");
    migrate(db);
    const clock = { now: 1_000 };
    return { clock, store: new LocalStore(db, { maxKeys, maxValueBytes: 1024 }, () => clock.now) };
  }

  test("expiry is read at call time; incr keeps it, set clears it", async () => {
    const { clock, store: s } = store(10);
    await s.set("a", "5", 100);
    expect(await s.incr("a", 2)).toBe(7);
    clock.now += 100;
    expect(await s.get("a")).toBeNull();
    expect(await s.incr("a", 1)).toBe(1);
    await s.set("b", '"x"', 10);
    await s.set("b", '"y"', undefined);
    clock.now += 1_000_000;
    expect(await s.get("b")).toBe('"y"');
    s.close();
  });

  test("maxKeys counts live keys: expired rows make room, live ones refuse with E_LIMIT naming the limit", async () => {
    const { clock, store: s } = store(3);
    await s.set("a", "1", 50);
    await s.set("b", "1", undefined);
    await s.set("c", "1", undefined);
    const err = await failure(s.set("d", "1", undefined));
    expect(err).toMatchObject({ code: "E_LIMIT", field: "shared.maxKeys" });
    await s.set("c", "2", undefined); // an existing key is not one more
    clock.now += 50;
    await s.set("d", "1", undefined);
    expect(await s.cas("e", null, "1", undefined).catch((e: AppError) => e.code)).toBe("E_LIMIT");
    expect(await s.delete("b")).toBe(true);
    expect(await s.cas("e", null, "1", undefined)).toBe(true);
    expect(await s.cas("e", null, "2", undefined)).toBe(false);
    expect(await s.cas("e", "1", "2", undefined)).toBe(true);
    expect((await failure(s.incr("missing-room", 1))).code).toBe("E_LIMIT");
    await s.set("c", '"text"', undefined);
    expect(await failure(s.incr("c", 1))).toMatchObject({ code: "E_USAGE", message: expect.stringContaining('"c" holds "text", not a whole number') });
    s.close();
  });
});
