// The paged connection registry behaves as the Map it replaced: lookups, size, id order, deletes while iterating.
import { expect, test } from "bun:test";
import { ConnectionRegistry } from "../../src/worker/connection-registry.ts";

const conn = (id: number) => ({ id, info: () => ({}) }) as never;

test("get, has, size and iteration in id order across pages; a page goes when its last connection leaves", () => {
  const registry = new ConnectionRegistry();
  const ids = [1, 2, 63, 64, 65, 200, 5000];
  for (const id of ids) registry.set(id, conn(id));
  expect(registry.size).toBe(ids.length);
  expect([...registry.keys()]).toEqual(ids);
  expect(registry.get(64)).toMatchObject({ id: 64 });
  expect(registry.get(66)).toBeUndefined();
  expect(registry.has(5000)).toBe(true);
  expect(registry.delete(64)).toBe(true);
  expect(registry.delete(64)).toBe(false);
  expect(registry.size).toBe(ids.length - 1);
  expect([...registry.values()].map((c: { id: number }) => c.id)).toEqual([1, 2, 63, 65, 200, 5000]);
});

test("deleting every connection while iterating visits each once and leaves it empty", () => {
  const registry = new ConnectionRegistry();
  for (let id = 1; id <= 300; id++) registry.set(id, conn(id));
  const seen: number[] = [];
  for (const [id] of registry) {
    seen.push(id);
    registry.delete(id);
  }
  expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  expect(registry.size).toBe(0);
  expect([...registry.entries()]).toEqual([]);
  registry.set(7, conn(7)); // an outbound connection registering again after a reconnect
  expect(registry.get(7)).toMatchObject({ id: 7 });
});

/** Which settles first: `promise`, or the next turn of the event loop (a poll, even every 1 ms, would lose). */
const beforeNextTurn = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => "settled"), new Promise((resolve) => setImmediate(() => resolve("next turn")))]);

test("whenEmpty() resolves when the last connection leaves, in the same turn, and not before", async () => {
  const registry = new ConnectionRegistry();
  expect(await beforeNextTurn(registry.whenEmpty())).toBe("settled");
  for (const id of [1, 2, 70]) registry.set(id, conn(id));
  const empty = registry.whenEmpty();
  const second = registry.whenEmpty();
  registry.delete(1);
  registry.delete(70);
  expect(await beforeNextTurn(empty)).toBe("next turn");
  registry.set(3, conn(3));
  registry.delete(2);
  expect(await beforeNextTurn(empty)).toBe("next turn");
  registry.delete(3);
  expect(await beforeNextTurn(empty)).toBe("settled");
  expect(await beforeNextTurn(second)).toBe("settled");
  registry.set(4, conn(4));
  expect(await beforeNextTurn(registry.whenEmpty())).toBe("next turn");
});
