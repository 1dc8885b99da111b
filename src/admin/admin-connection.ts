// One admin-plane TCP connection: reads its requests one at a time, hands each to the app, writes the answer as the socket takes it.
import type { Socket } from "bun";
import type { AdminEnv } from "./admin-env.ts";
import { chunkFrame, LAST_CHUNK, MAX_BODY_BYTES, MAX_HEAD_BYTES, plainResponse, readHead, type RequestHead, responseHead, WireError } from "./http-wire.ts";

/** A Host header fit for a URL (anything else is left to the Host check, which refuses it). */
const HOST = /^[A-Za-z0-9.\-:[\]]+$/;

export type AdminFetch = (request: Request, env: AdminEnv["Bindings"]) => Response | Promise<Response>;

export interface SocketData {
  conn?: AdminConnection;
}

export class AdminConnection {
  #in: Buffer = Buffer.alloc(0);
  /** Bytes the socket did not take yet, and who waits for them to go. */
  #pending: Uint8Array | null = null;
  #flushed: (() => void) | null = null;
  readonly #abort = new AbortController();
  /** The response body being written: cancelled when the client goes, so an event stream stops at once. */
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  readonly #env: AdminEnv["Bindings"];
  /** The head in the buffer was answered "100 Continue" (or needed none). */
  #continued = false;
  /** A request is being answered (never closed for idleness meanwhile). */
  busy = false;
  /** A request on it carried credentials the app accepted: such connections are the last to be closed when the plane is full. */
  authenticated = false;
  /** The app asked for no timeout (an event or log stream). */
  streaming = false;
  closed = false;
  lastActive = performance.now();
  /** When the unfinished request head in the buffer began (0: none): a head that trickles in is closed after a while. */
  headStartedAt = 0;

  constructor(
    private readonly socket: Socket<SocketData>,
    private readonly fetch: AdminFetch,
    private readonly origin: string,
  ) {
    const address = { address: socket.remoteAddress, family: socket.remoteAddress.includes(":") ? "IPv6" : "IPv4", port: 0 };
    this.#env = { requestIP: () => address, timeout: (_request, seconds) => void (this.streaming = seconds === 0) };
  }

  onData(chunk: Buffer): void {
    this.lastActive = performance.now();
    if (this.#in.length === 0 && !this.busy) this.headStartedAt = this.lastActive;
    this.#in = this.#in.length ? Buffer.concat([this.#in, chunk]) : Buffer.from(chunk);
    // Pipelined requests wait while one is answered, but not without bound.
    if (this.#in.length > MAX_HEAD_BYTES + MAX_BODY_BYTES) return this.fail(413, "too many bytes sent ahead of the answer");
    this.#next();
  }

  onDrain(): void {
    const pending = this.#pending;
    if (!pending) return;
    const written = this.socket.write(pending);
    if (written < pending.length) {
      this.#pending = pending.subarray(Math.max(written, 0));
      return;
    }
    this.#pending = null;
    this.#flushed?.();
  }

  /** The socket is gone (either side closed it). */
  onClose(): void {
    this.closed = true;
    this.#abort.abort();
    this.#flushed?.();
    this.#reader?.cancel().catch(() => {});
  }

  /** Closes at once (idle, evicted, or the plane stops). */
  close(): void {
    if (this.closed) return;
    this.onClose();
    this.socket.terminate();
  }

  /** Answers with an error that closes the connection (malformed or oversized input). */
  fail(status: number, message: string): void {
    if (this.closed) return;
    this.socket.write(plainResponse(status, message));
    this.closed = true;
    this.#abort.abort();
    this.socket.end();
  }

  #next(): void {
    if (this.closed || this.busy || this.#in.length === 0) return;
    let head: RequestHead | null;
    try {
      head = readHead(this.#in);
    } catch (err) {
      if (err instanceof WireError) return this.fail(err.status, err.message);
      throw err;
    }
    if (!head) return;
    if (this.#in.length < head.headBytes + head.bodyBytes) {
      // curl waits a second for this before it sends a body over 1 KiB.
      if (!this.#continued && head.headers.get("expect")?.toLowerCase() === "100-continue") this.socket.write("HTTP/1.1 100 Continue\r\n\r\n");
      this.#continued = true;
      return;
    }
    this.#continued = false;
    const body = head.bodyBytes ? Buffer.from(this.#in.subarray(head.headBytes, head.headBytes + head.bodyBytes)) : null;
    this.#in = this.#in.subarray(head.headBytes + head.bodyBytes);
    this.headStartedAt = this.#in.length ? performance.now() : 0;
    this.busy = true;
    void this.#serve(head, body).catch(() => this.close());
  }

  async #serve(head: RequestHead, body: Buffer | null): Promise<void> {
    const request = this.#request(head, body);
    if (!request) return this.fail(400, "malformed request");
    let response: Response;
    try {
      response = await this.fetch(request, this.#env);
    } catch {
      response = new Response(null, { status: 500 });
    }
    if (this.closed) return void response.body?.cancel().catch(() => {});
    const credentialed = head.headers.has("authorization") || head.headers.has("x-session");
    if (credentialed && response.status !== 401 && response.status !== 403) this.authenticated = true;
    const hasBody = response.body !== null && head.method !== "HEAD" && response.status !== 204 && response.status !== 304;
    if (hasBody && this.streaming) {
      // Only the event and log streams ask for no timeout: they are sent chunked as they come.
      await this.#write(Buffer.from(responseHead(response, "chunked", head.keepAlive), "latin1"));
      await this.#pipe(response.body!);
    } else {
      const body = hasBody ? new Uint8Array(await response.arrayBuffer()) : null;
      if (!hasBody) await response.body?.cancel().catch(() => {});
      await this.#write(Buffer.concat([Buffer.from(responseHead(response, body?.length ?? 0, head.keepAlive), "latin1"), body ?? new Uint8Array()]));
    }
    this.streaming = false;
    if (this.closed) return;
    if (!head.keepAlive) {
      this.closed = true;
      return void this.socket.end();
    }
    this.busy = false;
    this.lastActive = performance.now();
    this.#next();
  }

  #request(head: RequestHead, body: Buffer | null): Request | null {
    try {
      const withBody = body !== null && head.method !== "GET" && head.method !== "HEAD";
      // As Bun.serve does: the URL names the host the client asked for, which the same-origin check compares with Origin.
      const host = head.headers.get("host");
      const origin = host && HOST.test(host) ? `http://${host}` : this.origin;
      return new Request(origin + head.target, {
        method: head.method,
        headers: head.headers,
        body: withBody ? new Uint8Array(body) : null,
        signal: this.#abort.signal,
      });
    } catch {
      return null;
    }
  }

  async #pipe(stream: ReadableStream<Uint8Array>): Promise<void> {
    const reader = stream.getReader();
    this.#reader = reader;
    try {
      while (!this.closed) {
        const { done, value } = await reader.read();
        if (done) return await this.#write(LAST_CHUNK);
        if (value?.length) await this.#write(chunkFrame(value));
      }
    } catch {
      // The app's stream failed midway: the client cannot be told in-band, so the connection ends here.
      this.close();
    } finally {
      this.#reader = null;
      if (this.closed) await reader.cancel().catch(() => {});
    }
  }

  /** Resolves once the socket took every byte (or closed): at most one write is outstanding, so memory follows the reader. */
  #write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.lastActive = performance.now();
    const written = this.socket.write(bytes);
    if (written >= bytes.length) return Promise.resolve();
    this.#pending = bytes.subarray(Math.max(written, 0));
    return new Promise((resolve) => {
      this.#flushed = () => {
        this.#flushed = null;
        this.lastActive = performance.now();
        resolve();
      };
    });
  }
}
