// websocket:// runs the listener contract: one text frame per message, close code 1009 past maxPackageSize.
import { expect } from "bun:test";
import { webSocketPeer } from "../support/listener-peers.ts";
import { LIMIT, runListenerSuite } from "./listener.case.ts";
import { within } from "../support/wait.ts";

runListenerSuite({
  kind: "websocket",
  listen: () => "websocket://127.0.0.1:0",
  settings: { maxPackageSize: LIMIT },
  connect: (listen) => webSocketPeer(listen.replace(/^websocket:/, "ws:")),
  async refuseOversize(peer, payload) {
    peer.send(payload);
    await within(peer.closed, 5000, "the connection closed for its oversize message");
    expect(peer.info.closeCode).toBe(1009);
  },
  drainClose: (peer) => expect(peer.info.closeCode).toBe(1001),
  listsConnections: true,
});
