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
