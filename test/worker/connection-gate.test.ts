// maxConnections and maxConnectionsPerIp bookkeeping, and the default taken from the open-files limit.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConnectionGate, defaultMaxConnections, openFilesLimit } from "../../src/worker/connection-gate.ts";
import { ShedLog } from "../../src/worker/shed-log.ts";

const counters = () => ({ refusedMaxConnections: 0, refusedMaxConnectionsPerIp: 0 });
const quiet = () => new ShedLog({}, () => {});

test("past maxConnections every new connection is refused and counted; a close makes room again", () => {
  const c = counters();
  const gate = new ConnectionGate({ maxConnections: 2 }, c, quiet());
  expect([gate.admit("a"), gate.admit("b"), gate.admit("c")]).toEqual([null, null, "maxConnections"]);
  expect(c).toEqual({ refusedMaxConnections: 1, refusedMaxConnectionsPerIp: 0 });
  gate.release("a");
  expect(gate.admit("c")).toBeNull();
  expect(gate.open).toBe(2);
});

test("maxConnectionsPerIp refuses a crowded address while others still get in; its count goes when the last one closes", () => {
  const c = counters();
  const gate = new ConnectionGate({ maxConnections: 100, maxConnectionsPerIp: 2 }, c, quiet());
  expect([gate.admit("10.0.0.1"), gate.admit("10.0.0.1"), gate.admit("10.0.0.1")]).toEqual([null, null, "maxConnectionsPerIp"]);
  expect(gate.admit("10.0.0.2")).toBeNull();
  expect(c).toEqual({ refusedMaxConnections: 0, refusedMaxConnectionsPerIp: 1 });
  gate.release("10.0.0.1");
  expect(gate.admit("10.0.0.1")).toBeNull();
  gate.release("10.0.0.1");
  gate.release("10.0.0.1");
  expect([gate.admit("10.0.0.1"), gate.admit("10.0.0.1")]).toEqual([null, null]);
  expect(gate.open).toBe(3);
});

test("the default leaves 256 descriptors for the process's own files and takes 90% of the rest", () => {
  expect(defaultMaxConnections(20_000)).toBe(17_769);
  expect(defaultMaxConnections(1024)).toBe(691);
  expect(defaultMaxConnections(100)).toBe(1);
  const dir = mkdtempSync(join(tmpdir(), "wm-limits-"));
  try {
    const file = join(dir, "limits");
    writeFileSync(
      file,
      "Limit                     Soft Limit           Hard Limit           Units     \nMax open files            4096                 524288               files     \n",
    );
    expect(openFilesLimit(file)).toBe(4096);
    expect(openFilesLimit(join(dir, "missing"))).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // This process's own limit is readable on Linux.
  expect(openFilesLimit()).toBeGreaterThan(0);
});
