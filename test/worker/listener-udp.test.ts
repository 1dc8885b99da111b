// udp:// runs the listener contract: one datagram per message; one past maxPackageSize gets no reply, the next one does.
import { expect } from "bun:test";
import { udpPeer } from "../support/listener-peers.ts";
import { LIMIT, runListenerSuite } from "./listener.case.ts";

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
});
