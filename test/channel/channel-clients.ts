// WebSocket clients of the channel fixture: find clients on distinct worker processes, send commands, await replies.
import { wsClient, type WsClient } from "../support/clients.ts";
import { happensWithin, waitFor } from "../support/wait.ts";

export interface ChannelClient extends WsClient {
  pid: number;
  /** Sends a command to the fixture and resolves with its reply's value. */
  cmd: <T = unknown>(command: Record<string, unknown>) => Promise<T>;
  /** Resolves with the next delivery equal to `text` (fails after the timeout). */
  expectDelivery: (text: string, timeoutMs?: number) => Promise<string>;
}

let nextTag = 1;

export async function channelClient(url: string): Promise<ChannelClient> {
  const client = await wsClient(url);
  const hello = JSON.parse(await client.next((m) => m.startsWith('{"hello"'))) as { hello: number };
  return {
    ...client,
    pid: hello.hello,
    async cmd<T>(command: Record<string, unknown>): Promise<T> {
      const tag = `t${nextTag++}`;
      client.ws.send(JSON.stringify({ ...command, tag }));
      const reply = JSON.parse(await client.next((m) => m.includes(`"tag":"${tag}"`))) as { value: T };
      return reply.value;
    },
    expectDelivery: (text, timeoutMs = 3000) => client.next((m) => m === text, timeoutMs),
  };
}

/** Opens clients until `perProcess` of them sit on each of `processes` distinct pids; closes the surplus. */
export async function clientsOnProcesses(url: string, processes = 2, perProcess = 1): Promise<ChannelClient[][]> {
  const byPid = new Map<number, ChannelClient[]>();
  for (let attempt = 0; attempt < 200; attempt++) {
    const full = [...byPid.values()].filter((list) => list.length >= perProcess).length;
    if (full >= processes) break;
    const client = await channelClient(url);
    const list = byPid.get(client.pid) ?? [];
    if (list.length >= perProcess) {
      client.ws.close();
      continue;
    }
    list.push(client);
    byPid.set(client.pid, list);
  }
  const groups = [...byPid.values()].filter((list) => list.length >= perProcess);
  if (groups.length < processes) throw new Error(`could not reach ${processes} processes (got ${byPid.size})`);
  return groups.slice(0, processes);
}

/** True when no message matching `text` arrives within `ms` (a deliberate pause: the point is that nothing comes); false as soon as one does. */
export async function nothingArrives(client: WsClient, text: string, ms = 300): Promise<boolean> {
  return !(await happensWithin(ms, () => client.messages.includes(text)));
}

export function closeAll(clients: Iterable<WsClient>): Promise<unknown> {
  const closing = [...clients].map((c) => {
    c.ws.close();
    return c.closed;
  });
  return Promise.all(closing);
}

export interface KeptFrame {
  group: string;
  offset: number;
  epoch: string;
  data: string;
}

/** The kept group messages a client has received so far (the fixture's onGroupMessage frames), in arrival order. */
export function keptOf(client: WsClient, group: string): KeptFrame[] {
  return client.messages
    .filter((m) => m.startsWith('{"kept"'))
    .map((m) => (JSON.parse(m) as { kept: KeptFrame }).kept)
    .filter((k) => k.group === group);
}

/** Waits until the client holds a kept message of `group` with data `data`; returns all of that group's so far. */
export function keptUntil(client: WsClient, group: string, data: string, timeoutMs = 5000): Promise<KeptFrame[]> {
  return waitFor(() => keptOf(client, group), {
    until: (kept) => kept.some((k) => k.data === data),
    timeoutMs,
    intervalMs: 10,
    what: `kept message ${data} in ${group}`,
  });
}
