// tcp:// (with the text protocol) runs the listener contract: one line per message, closed past maxPackageSize.
import { linePeer } from "../support/listener-peers.ts";
import { LIMIT, runListenerSuite } from "./listener.case.ts";
import { within } from "../support/wait.ts";

runListenerSuite({
  kind: "tcp",
  listen: () => "tcp://127.0.0.1:0",
  settings: { protocol: "text", maxPackageSize: LIMIT },
  connect(listen) {
    const url = new URL(listen);
    return linePeer({ port: Number(url.port), host: url.hostname });
  },
  async refuseOversize(peer, payload) {
    peer.send(payload);
    await within(peer.closed, 5000, "the connection closed for its oversize line");
  },
  listsConnections: true,
});
