// http:// runs the listener contract: one POST per message on a raw keep-alive connection, 413 past maxBodySize.
import { expect, test } from "bun:test";
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
  // A chunked body: our code reads it against the limit, so its 413 is ours to count (see the Content-Length cases below).
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
    // Known gap: Bun answers this 413 itself before calling fetch, so nothing in the worker sees it (`bun test --todo` runs it).
    test.todo("a Content-Length past maxBodySize is counted in protocolErrors like a chunked one", async () => {
      const peer = await ctx.open();
      const pid = await ctx.ask(peer, "before");
      const before = (await ctx.row(pid))!.protocolErrors;
      peer.send(tooLong);
      await peer.reply();
      await ctx.app().waitFor(async () => (await ctx.row(pid))!.protocolErrors === before + 1, 3000, "protocolErrors + 1");
    });
  },
});
