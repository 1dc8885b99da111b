// The push app's control listener: a backend with the shared secret sends signed frames for one user or for everyone.
import type { App } from "workerman-app";
import { openCommand, ReplayGuard } from "./control-frame.ts";
import { userGroup } from "./resume.ts";
import { EVERYONE, readSecret } from "./settings.ts";

let secret: string;
/** Per process: keep the control group at count 1 (the default) so every frame meets the same guard. */
const guard = new ReplayGuard();

export default {
  onWorkerStart() {
    secret = readSecret();
  },
  onMessage(conn, body: Buffer) {
    const command = openCommand(secret, body.toString(), Date.now() / 1000, guard);
    if ("error" in command) {
      conn.worker.metrics.inc("control.refused");
      return void conn.send(JSON.stringify({ ok: false, error: command.error }));
    }
    const { channel } = conn.worker;
    // Kept with an offset per stream, so a client reconnecting after a reload or a drop can resume.
    channel.publishToGroup("uid" in command.to ? userGroup(command.to.uid) : EVERYONE, command.data);
    conn.send(JSON.stringify({ ok: true }));
  },
} satisfies App;
