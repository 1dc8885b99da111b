// http:// runs the listener contract: one POST per message on a raw keep-alive connection, 413 past maxBodySize.
import { expect, test } from "bun:test";
import { connect } from "node:net";
import { httpPeer } from "../support/listener-peers.ts";
import { LIMIT, runListenerSuite } from "./listener.case.ts";
import { within } from "../support/wait.ts";

runListenerSuite({
  kind: "http",
  listen: () => "http://127.0.0.1:0",
  settings: { maxBodySize: LIMIT },
  connect(listen) {
    const url = new URL(listen);
    return httpPeer(Number(url.port), url.hostname);
  },
  // A chunked body: our code counts its bytes against the limit while reading (the Content-Length cases are below).
  async refuseOversize(peer, payload) {
    peer.sendChunked(payload);
    await peer.reply();
    expect(peer.info.status).toBe(413);
    await within(peer.closed, 5000, "the connection closed after its 413");
  },
  listsConnections: false,
  skip: { bytes: "Bun.serve counts no bytes per request or connection (http traffic is counted in `requests`)" },
  extra(ctx) {
    const tooLong = "o".repeat(LIMIT + 500);
    test("a Content-Length past maxBodySize gets 413 and a close, and the same pid serves a new client", async () => {
      const peer = await ctx.open();
      const pid = await ctx.ask(peer, "before");
      peer.send(tooLong);
      await peer.reply();
      expect(peer.info.status).toBe(413);
      await within(peer.closed, 5000, "the connection closed after its 413");
      expect(await ctx.ask(await ctx.open(), "new client")).toBe(pid);
    });
    // Each refusal is one log line and one protocol error: comparing the two also waits out the earlier cases' stats.
    const refusals = (pid: number) => ctx.app().output.filter((line) => line.includes(` ${pid}] closing http connection from `));
    const countedAndLogged = (pid: number, n: number) =>
      ctx.app().waitFor(async () => refusals(pid).length === n && (await ctx.row(pid))!.protocolErrors === n, 5000, `${n} refusals counted and logged`);
    test("a Content-Length past maxBodySize is counted in protocolErrors and logged like a chunked one", async () => {
      const peer = await ctx.open();
      const pid = await ctx.ask(peer, "before");
      const before = refusals(pid).length;
      await countedAndLogged(pid, before);
      peer.send(tooLong);
      await peer.reply();
      expect(peer.info.status).toBe(413);
      await countedAndLogged(pid, before + 1);
      expect(refusals(pid).at(-1)).toContain(`Content-Length ${tooLong.length} is over maxBodySize ${LIMIT} (answered 413)`);
    });
    test("a Content-Length past maxBodySize whose body never comes gets 413 and a close at once; the same pid serves next", async () => {
      const pid = await ctx.ask(await ctx.open(), "before");
      const { port, hostname } = new URL(ctx.listen());
      const socket = connect(Number(port), hostname);
      let text = "";
      socket.setEncoding("latin1").on("data", (chunk: string) => (text += chunk));
      const closed = new Promise<void>((done) => socket.on("close", () => done()).on("error", () => {}));
      try {
        // Headers only: a 1 GB body announced, none sent. Waiting for it would hold the socket until idleTimeout (60 s).
        socket.write("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n");
        await within(closed, 5000, "the connection closed without waiting for the body");
        expect(text).toMatch(/^HTTP\/1\.1 413 /);
        expect(await ctx.ask(await ctx.open(), "next")).toBe(pid);
      } finally {
        socket.destroy();
      }
    });
  },
});
