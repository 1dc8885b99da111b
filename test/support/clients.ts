// Small real clients for tests: raw TCP / unix sockets, WebSocket and UDP, each with a timeout.
import dgram from "node:dgram";
import type { Socket } from "bun";

export interface StreamClient {
  socket: Socket<undefined>;
  /** Everything received so far. */
  received: () => Buffer;
  /** Resolves with the received bytes once `predicate` holds. */
  until: (predicate: (text: string) => boolean, timeoutMs?: number) => Promise<string>;
  closed: Promise<void>;
  write: (data: string | Uint8Array) => void;
}

export async function streamClient(target: { port: number; host?: string } | { unix: string }): Promise<StreamClient> {
  const chunks: Buffer[] = [];
  const closed = Promise.withResolvers<void>();
  let notify = () => {};
  const handler = {
    data(_s: Socket<undefined>, data: Buffer) {
      chunks.push(Buffer.from(data));
      notify();
    },
    close() {
      closed.resolve();
      notify();
    },
    error() {},
  };
  const socket =
    "unix" in target
      ? await Bun.connect({ unix: target.unix, socket: handler })
      : await Bun.connect({ hostname: target.host ?? "127.0.0.1", port: target.port, socket: handler });
  const received = () => Buffer.concat(chunks);
  return {
    socket,
    received,
    closed: closed.promise,
    write: (data) => void socket.write(data),
    until(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out; received ${JSON.stringify(received().toString())}`)), timeoutMs);
        notify = () => {
          if (predicate(received().toString())) {
            clearTimeout(timer);
            resolve(received().toString());
          }
        };
        notify();
      });
    },
  };
}

/** Sends one line on a new connection and returns the first reply line. */
export async function askLine(target: { port: number } | { unix: string }, line: string): Promise<string> {
  const client = await streamClient(target);
  client.write(line + "\n");
  const text = await client.until((t) => t.includes("\n"));
  client.socket.end();
  return text.slice(0, text.indexOf("\n"));
}

export function frame(body: string | Uint8Array): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body) : Buffer.from(body);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length + 4);
  return Buffer.concat([header, bytes]);
}

export async function udpAsk(port: number, message: string, timeoutMs = 2000): Promise<string> {
  const socket = dgram.createSocket("udp4");
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no UDP reply")), timeoutMs);
      socket.on("message", (reply) => {
        clearTimeout(timer);
        resolve(reply.toString());
      });
      socket.send(message, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

export interface WsClient {
  ws: WebSocket;
  messages: string[];
  next: (predicate?: (m: string) => boolean, timeoutMs?: number) => Promise<string>;
  closed: Promise<CloseEvent>;
}

export async function wsClient(url: string): Promise<WsClient> {
  const ws = new WebSocket(url);
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  const closed = new Promise<CloseEvent>((resolve) => ws.addEventListener("close", resolve));
  ws.addEventListener("message", (event) => {
    messages.push(typeof event.data === "string" ? event.data : Buffer.from(event.data as ArrayBuffer).toString());
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)));
  });
  return {
    ws,
    messages,
    closed,
    next(predicate = () => true, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message; got ${JSON.stringify(messages)}`)), timeoutMs);
        const check = () => {
          const found = messages.find(predicate);
          if (found !== undefined) {
            clearTimeout(timer);
            messages.splice(messages.indexOf(found), 1);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
