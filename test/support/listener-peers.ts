// Clients for the listener contract suite: one per transport, each sending whole or half-sent messages and reading replies in order.
import dgram from "node:dgram";
import net from "node:net";
import { parseResponses } from "./raw-http.ts";

export interface Peer {
  /** Sends one whole message (http: one POST on the same keep-alive connection). */
  send(message: string): void;
  /** Sends the first part of `message` now (http: headers and half the body; text: half the line); call the result to send the rest. */
  begin(message: string): () => void;
  /** The next reply in order; rejects when the server closes first or nothing comes within `timeoutMs`. */
  reply(timeoutMs?: number): Promise<string>;
  /** Resolves once the server has closed the connection (udp: never, it has none). */
  closed: Promise<void>;
  /** What the transport said besides the replies: the last http status, the websocket close code. */
  info: { status?: number; closeCode?: number };
  end(): void;
}

/** Replies in arrival order, and the waiters for the next one. */
class Inbox {
  #items: string[] = [];
  #waiters: { resolve: (item: string) => void; reject: (err: Error) => void }[] = [];
  #closed = false;

  push(item: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error("the server closed the connection before a reply"));
  }

  next(timeoutMs: number): Promise<string> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    if (this.#closed) return Promise.reject(new Error("the server closed the connection before a reply"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        resolve: (item: string) => (clearTimeout(timer), resolve(item)),
        reject: (err: Error) => (clearTimeout(timer), reject(err)),
      };
      this.#waiters.push(waiter);
    });
  }
}

/** A connected node:net socket whose closing settles `closed` and the inbox. */
function openSocket(target: { port: number; host: string } | { path: string }): Promise<{ socket: net.Socket; inbox: Inbox; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = "path" in target ? net.connect(target.path) : net.connect(target.port, target.host);
    const inbox = new Inbox();
    const closed = new Promise<void>((done) => socket.on("close", () => (inbox.close(), done())));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // a reset by the server shows as `closed`
      resolve({ socket, inbox, closed });
    });
  });
}

function cut(bytes: Buffer): [Buffer, Buffer] {
  const half = Math.max(1, Math.floor(bytes.length / 2));
  return [bytes.subarray(0, half), bytes.subarray(half)];
}

/** tcp:// and unix:// with the text protocol: one line a message. */
export async function linePeer(target: { port: number; host: string } | { path: string }): Promise<Peer> {
  const { socket, inbox, closed } = await openSocket(target);
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n")) {
      inbox.push(text.slice(0, end));
      text = text.slice(end + 1);
    }
  });
  return {
    send: (message) => void socket.write(message + "\n"),
    begin(message) {
      const [first, rest] = cut(Buffer.from(message + "\n"));
      socket.write(first);
      return () => void socket.write(rest);
    },
    reply: (timeoutMs = 5000) => inbox.next(timeoutMs),
    closed,
    info: {},
    end: () => socket.destroy(),
  };
}

export interface HttpPeer extends Peer {
  /** Sends `message` as a chunked POST body (no Content-Length), in chunks of 1 KiB. */
  sendChunked(message: string): void;
}

/** http:// over one raw keep-alive connection: each message is a POST body, each reply a response body. */
export async function httpPeer(port: number, host: string): Promise<HttpPeer> {
  const { socket, inbox, closed } = await openSocket({ port, host });
  const info: Peer["info"] = {};
  let text = "";
  let answered = 0;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    text += chunk;
    const responses = parseResponses(text);
    for (; answered < responses.length; answered++) {
      info.status = responses[answered]!.status;
      inbox.push(Buffer.from(responses[answered]!.body, "latin1").toString("utf8"));
    }
  });
  const request = (message: string) => {
    const body = Buffer.from(message);
    return Buffer.concat([Buffer.from(`POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
  };
  const chunked = (message: string) => {
    const body = Buffer.from(message);
    const parts = [Buffer.from("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")];
    for (let at = 0; at < body.length; at += 1024) {
      const chunk = body.subarray(at, at + 1024);
      parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n"));
    }
    return Buffer.concat([...parts, Buffer.from("0\r\n\r\n")]);
  };
  return {
    send: (message) => void socket.write(request(message)),
    sendChunked: (message) => void socket.write(chunked(message)),
    begin(message) {
      const bytes = request(message);
      const headEnd = bytes.indexOf("\r\n\r\n") + 4;
      const [firstBody, rest] = cut(bytes.subarray(headEnd));
      socket.write(Buffer.concat([bytes.subarray(0, headEnd), firstBody]));
      return () => void socket.write(rest);
    },
    reply: (timeoutMs = 5000) => inbox.next(timeoutMs),
    closed,
    info,
    end: () => socket.destroy(),
  };
}

/** websocket://: one text frame a message; a message cannot be half-sent through the WebSocket API, so begin() holds it back. */
export async function webSocketPeer(url: string): Promise<Peer> {
  const ws = new WebSocket(url);
  const inbox = new Inbox();
  const info: Peer["info"] = {};
  const closed = new Promise<void>((done) =>
    ws.addEventListener("close", (event) => {
      info.closeCode = event.code;
      inbox.close();
      done();
    }),
  );
  ws.addEventListener("message", (event) => inbox.push(typeof event.data === "string" ? event.data : Buffer.from(event.data as ArrayBuffer).toString()));
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", () => reject(new Error(`cannot open ${url}`)));
  });
  return {
    send: (message) => ws.send(message),
    begin: (message) => () => ws.send(message),
    reply: (timeoutMs = 5000) => inbox.next(timeoutMs),
    closed,
    info,
    end: () => ws.close(),
  };
}

/** udp://: one datagram a message, from one local socket, so the replies come back to it. */
export async function udpPeer(port: number, host: string): Promise<Peer> {
  const socket = dgram.createSocket("udp4");
  const inbox = new Inbox();
  socket.on("message", (reply) => inbox.push(reply.toString()));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const send = (message: string) => socket.send(message, port, host);
  let open = true;
  return {
    send,
    begin: (message) => () => send(message),
    reply: (timeoutMs = 5000) => inbox.next(timeoutMs),
    closed: new Promise<void>(() => {}),
    info: {},
    end() {
      if (open) socket.close();
      open = false;
    },
  };
}
