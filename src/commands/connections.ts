// `workerman-app connections [--json] [--group G]`: every open connection of the running master, in Workerman's columns.
import { adminRequest } from "../admin/client.ts";
import type { ConnectionItem, ConnectionsResponse } from "../admin/contract.ts";
import { renderTable } from "../table.ts";

const PAGE = 1000;

export async function connectionsCommand(configPath: string, json: boolean, group?: string): Promise<number> {
  const all = await fetchAll(configPath, group);
  if (json) {
    console.log(JSON.stringify(all, null, 2));
    return 0;
  }
  console.log(renderConnections(all));
  return 0;
}

/** Pages through the API; connections open and close meanwhile, so this is a snapshot per page, as Workerman's is per process. */
async function fetchAll(configPath: string, group?: string): Promise<ConnectionsResponse> {
  const items: ConnectionItem[] = [];
  let first: ConnectionsResponse | undefined;
  for (let offset = 0; ; offset += PAGE) {
    const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset), ...(group ? { group } : {}) });
    const page = await adminRequest<ConnectionsResponse>(configPath, `/api/connections?${query}`);
    first ??= page;
    items.push(...page.items);
    if (page.items.length < PAGE || offset + PAGE >= page.total) break;
  }
  return { total: items.length, items, errors: first?.errors ?? [] };
}

function address(host: string, port: number): string {
  if (host === "") return "-";
  if (host.startsWith("/")) return host;
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export function renderConnections(response: ConnectionsResponse): string {
  const rows = response.items.map((c) => [
    c.pid,
    c.group,
    c.id,
    c.transport,
    c.protocol,
    // Workers do not report unparsed received bytes yet.
    "-",
    c.pendingSendBytes,
    c.bytesRead,
    c.bytesWritten,
    c.outbound ? `${c.state} (out)` : c.state,
    c.outbound ? "-" : address(c.localAddress, c.localPort),
    c.transport === "unix" ? "-" : address(c.remoteAddress, c.remotePort),
  ]);
  const table = renderTable(
    ["pid", "worker", "cid", "trans", "protocol", "recv-q", "send-q", "bytes-r", "bytes-w", "state", "local address", "foreign address"],
    rows,
  );
  const missing = response.errors.map((e) => e.error.message);
  return [table, `${response.total} connection${response.total === 1 ? "" : "s"}`, ...missing].join("\n");
}
