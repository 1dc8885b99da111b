// Thousands of WebSocket clients at little cost: raw sockets with a minimal RFC 6455 reader that counts frames.
import type { Socket } from "bun";

const CONNECT_BATCH = 250;

export interface Client {
  socket: Socket<Client>;
  pending: Buffer;
  upgraded: boolean;
  frames: number;
  onFrame: () => void;
  opened: () => void;
}

/** Raw sockets with a minimal RFC 6455 reader: 10,000 WebSocket objects would cost the client more than the server. */
export async function openClient(port: number, onFrame: () => void): Promise<Client> {
  const ready = Promise.withResolvers<void>();
  const state = { pending: Buffer.alloc(0), upgraded: false, frames: 0, onFrame, opened: ready.resolve } as Client;
  state.socket = await Bun.connect<Client>({
    hostname: "127.0.0.1",
    port,
    data: state,
    socket: {
      data(socket, chunk) {
        const c = socket.data;
        c.pending = c.pending.length ? Buffer.concat([c.pending, chunk]) : Buffer.from(chunk);
        if (!c.upgraded) {
          const end = c.pending.indexOf("\r\n\r\n");
          if (end < 0) return;
          if (!c.pending.subarray(0, 12).toString().includes("101")) throw new Error(`handshake refused: ${c.pending.toString()}`);
          c.upgraded = true;
          c.pending = c.pending.subarray(end + 4);
          c.opened();
        }
        readFrames(c);
      },
      close() {},
      error() {},
    },
  });
  state.socket.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  await ready.promise;
  return state;
}

function readFrames(c: Client): void {
  for (;;) {
    if (c.pending.length < 2) return;
    let length = c.pending[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (c.pending.length < 4) return;
      length = c.pending.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (c.pending.length < 10) return;
      length = Number(c.pending.readBigUInt64BE(2));
      offset = 10;
    }
    if (c.pending.length < offset + length) return;
    c.pending = c.pending.subarray(offset + length);
    c.frames++;
    c.onFrame();
  }
}

/** A masked text frame (clients must mask; a zero key keeps it simple and is valid). */
export function textFrame(text: string): Buffer {
  const body = Buffer.from(text);
  if (body.length > 125) throw new Error("trigger too long");
  return Buffer.concat([Buffer.from([0x81, 0x80 | body.length, 0, 0, 0, 0]), body]);
}

export async function connectAll(ports: number[], count: number, onFrame: () => void): Promise<Client[]> {
  const clients: Client[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, k) => openClient(ports[(i + k) % ports.length]!, onFrame));
    try {
      clients.push(...(await Promise.all(batch)));
    } catch (err) {
      throw new Error(`stopped at ${clients.length} clients: ${(err as Error).message}`);
    }
  }
  console.log(`  ${count} clients connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return clients;
}

/** Ends every client and gives the server a moment to see the closes. */
export async function closeClients(clients: Client[]): Promise<void> {
  for (const c of clients) c.socket.end();
  await Bun.sleep(200);
}
