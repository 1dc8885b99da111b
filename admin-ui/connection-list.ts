// Loads every connection (pages of 1000 from GET /api/connections) so the view can filter by address and sort by age or bytes.
import type { ConnectionItem, ConnectionsResponse } from "../src/admin/contract.ts";
import { api } from "./api.ts";

/** Past this many the view says so and asks for a group or pid filter instead of loading more. */
export const LOAD_CAP = 20_000;
const PAGE = 1000;

export interface Loaded {
  items: ConnectionItem[];
  total: number;
  /** Processes that did not answer. */
  errors: ConnectionsResponse["errors"];
}

export async function loadConnections(group: string, pid: string): Promise<Loaded> {
  const base = new URLSearchParams();
  if (group) base.set("group", group);
  if (pid) base.set("pid", pid);
  const items: ConnectionItem[] = [];
  let total = 0;
  let errors: Loaded["errors"] = [];
  for (let offset = 0; offset < LOAD_CAP; offset += PAGE) {
    const query = new URLSearchParams(base);
    query.set("limit", String(PAGE));
    query.set("offset", String(offset));
    const page = await api<ConnectionsResponse>(`/api/connections?${query}`);
    items.push(...page.items);
    total = page.total;
    errors = page.errors;
    if (page.items.length < PAGE || items.length >= total) break;
  }
  return { items, total, errors };
}

export type SortKey = "age" | "bytes";

export function filterAndSort(items: readonly ConnectionItem[], remote: string, sort: SortKey, descending: boolean): ConnectionItem[] {
  const needle = remote.trim().toLowerCase();
  const shown = needle ? items.filter((c) => `${c.remoteAddress}:${c.remotePort}`.toLowerCase().includes(needle)) : [...items];
  // Age: the oldest connection has the smallest openedAt.
  const key = sort === "age" ? (c: ConnectionItem) => -c.openedAt : (c: ConnectionItem) => c.bytesRead + c.bytesWritten;
  shown.sort((a, b) => (descending ? key(b) - key(a) : key(a) - key(b)));
  return shown;
}
