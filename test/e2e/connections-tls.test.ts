// TLS on every stream listener (http, websocket, tcp, text, frame) with a self-signed certificate made by openssl.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "bun";
import { AppUnderTest } from "../support/app-under-test.ts";
import { streamClient } from "../support/clients.ts";
import { settlesWithin } from "../support/wait.ts";

// text: a greeting sent in onConnect, before the TLS handshake is done, must still arrive (queued until drain).
const ECHO = `export default {
  onConnect(conn) { if (conn.protocol === "text") conn.send("welcome"); },
  onMessage(conn, data) { conn.send(conn.protocol === "frame" || conn.protocol === "tcp" ? Buffer.concat([Buffer.from("tls "), data]) : "tls " + data); },
  fetch: (req) => new Response("tls http " + new URL(req.url).pathname),
};`;

/** A certificate for 127.0.0.1 and localhost, valid for a day; CI installs openssl (.ci/run). */
function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const run = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stderr: "pipe" },
  );
  if (run.exitCode !== 0) throw new Error(`openssl failed: ${run.stderr.toString()}`);
  return { cert, key };
}

/** One TLS round trip on a raw socket, trusting only our certificate. */
async function tlsAsk(port: number, ca: string, payload: Uint8Array | string, done: (received: Buffer) => boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const { promise, resolve, reject } = Promise.withResolvers<Buffer>();
  const timer = setTimeout(() => reject(new Error(`no TLS reply; got ${Buffer.concat(chunks)}`)), 3000);
  const socket: Socket<undefined> = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    tls: { ca, serverName: "localhost" },
    socket: {
      // Bun drops a write made before the handshake (write() returns 0): send once it is done.
      handshake(s, ok, err) {
        if (ok) s.write(payload);
        else reject(err);
      },
      data(_s, chunk) {
        chunks.push(Buffer.from(chunk));
        if (done(Buffer.concat(chunks))) {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks));
        }
      },
      error: (_s, err) => reject(err),
    },
  });
  try {
    return await promise;
  } finally {
    socket.end();
  }
}

describe("ssl: { cert, key }", () => {
  let app: AppUnderTest;
  let certDir = "";
  let ca = "";
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), "wm-tls-"));
    const ssl = makeCertificate(certDir);
    ca = readFileSync(ssl.cert, "utf8");
    const groups = { http: "http", ws: "websocket", tcp: "tcp", text: "text", frame: "frame" };
    app = await AppUnderTest.start({
      workers: Object.entries(groups).map(([name, scheme]) => ({ name, listen: `${scheme}://127.0.0.1:0`, handler: "./echo.ts", ssl })),
      files: { "echo.ts": ECHO },
    });
    for (const name of Object.keys(groups)) ports[name] = await app.port(name);
  });
  afterAll(async () => {
    await app?.[Symbol.asyncDispose]();
    rmSync(certDir, { recursive: true, force: true });
  });

  test("https: answers with our certificate, and refuses a client that does not trust it", async () => {
    const response = await fetch(`https://127.0.0.1:${ports.http}/secure`, { tls: { ca, serverName: "localhost" } });
    expect(await response.text()).toBe("tls http /secure");
    await expect(fetch(`https://127.0.0.1:${ports.http}/`)).rejects.toThrow();
  });

  test("wss: a message round trip", async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${ports.ws}`, { tls: { ca, serverName: "localhost" } } as unknown as string[]);
    const reply = new Promise<string>((resolve, reject) => {
      ws.onmessage = (event) => resolve(String(event.data));
      ws.onerror = () => reject(new Error("wss failed"));
    });
    ws.onopen = () => ws.send("hi");
    expect(await reply).toBe("tls hi");
    ws.close();
  });

  test("tcp, text and frame over TLS", async () => {
    expect((await tlsAsk(ports.tcp!, ca, "raw", (b) => b.length >= 7)).toString()).toBe("tls raw");
    const text = await tlsAsk(ports.text!, ca, "line\n", (b) => b.toString().endsWith("tls line\n"));
    expect(text.toString()).toBe("welcome\ntls line\n");
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 9]), Buffer.from("frame")]);
    const reply = await tlsAsk(ports.frame!, ca, framed, (b) => b.length >= 4 && b.length >= b.readUInt32BE(0));
    expect(reply.subarray(4).toString()).toBe("tls frame");
  });

  test("plaintext to a TLS port gets no plaintext answer and no worker falls over", async () => {
    const client = await streamClient({ port: ports.text! });
    client.write("line\n");
    await settlesWithin(client.closed, 500); // closed, or 500 ms without it: either way no plaintext answer may have come
    expect(client.received().toString()).not.toContain("tls line");
    client.socket.end();
    expect((await app.status()).processes.every((p) => p.restarts === 0)).toBe(true);
  });
});
