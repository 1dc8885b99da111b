// The connections view's filter and sort, on plain rows (no master needed).
import { describe, expect, test } from "bun:test";
import { filterAndSort } from "../../admin-ui/connection-list.ts";
import type { ConnectionItem } from "../../src/admin/contract.ts";

const row = (id: number, remote: string, openedAt: number, bytes: number): ConnectionItem =>
  ({
    id,
    pid: 1,
    group: "web",
    protocol: "tcp",
    transport: "tcp",
    remoteAddress: remote,
    remotePort: 4000 + id,
    localAddress: "127.0.0.1",
    localPort: 80,
    bytesRead: bytes,
    bytesWritten: 0,
    pendingSendBytes: 0,
    openedAt,
  }) as ConnectionItem;

const rows = [row(1, "10.0.0.1", 300, 5), row(2, "10.0.0.2", 100, 50), row(3, "192.168.1.9", 200, 500)];

describe("admin-ui connection list", () => {
  test("filters by address and port, case-insensitively, ignoring spaces around the needle", () => {
    expect(
      filterAndSort(rows, " 10.0.0 ", "age", true)
        .map((c) => c.id)
        .sort(),
    ).toEqual([1, 2]);
    expect(filterAndSort(rows, ":4003", "age", true).map((c) => c.id)).toEqual([3]);
    expect(filterAndSort(rows, "nothing", "age", true)).toEqual([]);
  });

  test("age descending puts the oldest (smallest openedAt) first; bytes sort by read plus written", () => {
    expect(filterAndSort(rows, "", "age", true).map((c) => c.id)).toEqual([2, 3, 1]);
    expect(filterAndSort(rows, "", "bytes", true).map((c) => c.id)).toEqual([3, 2, 1]);
    expect(filterAndSort(rows, "", "bytes", false).map((c) => c.id)).toEqual([1, 2, 3]);
  });

  test("the input is left in its order", () => {
    filterAndSort(rows, "", "bytes", true);
    expect(rows.map((c) => c.id)).toEqual([1, 2, 3]);
  });
});
