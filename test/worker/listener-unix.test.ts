// unix:// (with the text protocol) runs the listener contract on a socket in a temporary folder: one line per message.
import { join } from "node:path";
import { linePeer } from "../support/listener-peers.ts";
import { LIMIT, runListenerSuite } from "./listener.case.ts";
import { within } from "../support/wait.ts";

runListenerSuite({
  kind: "unix",
  listen: (scratch) => `unix://${join(scratch, "l.sock")}`,
  settings: { protocol: "text", maxPackageSize: LIMIT },
  connect: (listen) => linePeer({ path: new URL(listen).pathname }),
  async refuseOversize(peer, payload) {
    peer.send(payload);
    await within(peer.closed, 5000, "the connection closed for its oversize line");
  },
  listsConnections: true,
});
