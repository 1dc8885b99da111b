// udp:// runs the listener contract: one datagram per message; one past maxPackageSize gets no reply, the next one does.
import { expect, test } from "bun:test";
import { udpPeer } from "../support/listener-peers.ts";
import { exitsCleanly, LIMIT, pidOf, runListenerSuite } from "./listener.case.ts";

const NO_CONNECTIONS = "udp has no connections: a datagram is answered or not, and a drain only closes the socket";

runListenerSuite({
  kind: "udp",
  listen: () => "udp://127.0.0.1:0",
  settings: { maxPackageSize: LIMIT },
  connect(listen) {
    const url = new URL(listen);
    return udpPeer(Number(url.port), url.hostname);
  },
  async refuseOversize(peer, payload) {
    peer.send(payload);
    peer.send("after");
    // Had the oversize datagram been handled, its echo would come first.
    expect(await peer.reply()).toEndWith(": after");
  },
  listsConnections: false,
  skip: { gracefulDrain: NO_CONNECTIONS, forcedDrain: NO_CONNECTIONS, forcedStop: NO_CONNECTIONS },
  extra(ctx) {
    test("reload: the port answers from the new pid, and the old pid exits by itself", async () => {
      const old = await ctx.ask(await ctx.open(), "before");
      await ctx.app().api("/api/reload", { method: "POST", body: JSON.stringify({}) });
      // A new sender each time: with both sockets bound during the overlap the kernel picks one per sender address. A
      // datagram queued at the old socket as it closes is lost (udp has no handover), so a missing reply is a retry.
      const replier = async () => {
        const peer = await ctx.open();
        peer.send("after");
        return peer.reply(500).then(pidOf, () => old);
      };
      await ctx.app().waitFor(async () => (await replier()) !== old, 10_000, "a reply from the new pid");
      await exitsCleanly(ctx.app(), old);
    });
  },
});
