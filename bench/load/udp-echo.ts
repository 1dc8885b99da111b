// Closed-loop UDP echo load: several client sockets (the kernel spreads them across reusePort servers), `window` datagrams each.
import type { udp } from "bun";
import type { LoadResult } from "./result.ts";
import { PAYLOAD } from "./wire.ts";

export interface UdpEchoOptions {
  host: string;
  port: number;
  sockets: number;
  window: number;
  seconds: number;
}

/** A socket that got nothing back for this long has lost its window (a full receive queue drops datagrams): refill it. */
const STALL_MS = 250;

interface Client {
  socket: udp.ConnectedSocket<"buffer">;
  received: number;
  /** Replies answered with a new request at the next flush. */
  owed: number;
  seenAtLastTick: number;
}

export async function udpEcho(options: UdpEchoOptions): Promise<LoadResult> {
  const payload = Buffer.from(PAYLOAD);
  const batch = Array.from({ length: options.window }, () => payload);
  let running = true;
  let counting = false;
  let counted = 0;
  let lost = 0;
  let bad = 0;
  let flushScheduled = false;

  const clients: Client[] = [];
  // Replies are answered in one sendmmsg per socket after the event loop has read everything ready, so the
  // client spends less per datagram than the server does and the server stays the bottleneck.
  const flush = () => {
    flushScheduled = false;
    if (!running) return;
    for (const client of clients) {
      if (client.owed === 0) continue;
      client.socket.sendMany(client.owed === options.window ? batch : batch.slice(0, client.owed));
      client.owed = 0;
    }
  };
  const onReply = (client: Client, data: Buffer) => {
    if (data.length !== payload.length) bad++;
    if (counting) counted++;
    if (client.owed < options.window) client.owed++;
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  for (let i = 0; i < options.sockets; i++) clients.push(await openClient(options, onReply));
  for (const client of clients) client.socket.sendMany(batch);
  const watchdog = setInterval(() => {
    for (const client of clients) {
      if (client.received === client.seenAtLastTick && client.owed === 0 && running) {
        lost += options.window;
        client.socket.sendMany(batch);
      }
      client.seenAtLastTick = client.received;
    }
  }, STALL_MS);

  // Let every socket's window complete round trips before the clock starts.
  await Bun.sleep(100);
  counting = true;
  const started = performance.now();
  await Bun.sleep(options.seconds * 1000);
  counting = false;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  clearInterval(watchdog);
  for (const client of clients) client.socket.close();
  return { messages: counted, seconds, errors: bad + lost, note: lost ? `~${lost} datagrams lost (windows refilled)` : undefined };
}

async function openClient(options: UdpEchoOptions, onReply: (client: Client, data: Buffer) => void): Promise<Client> {
  const client = { received: 0, owed: 0, seenAtLastTick: 0 } as Client;
  client.socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    connect: { hostname: options.host, port: options.port },
    socket: {
      data(_socket, data) {
        client.received++;
        onReply(client, data);
      },
    },
  });
  return client;
}
