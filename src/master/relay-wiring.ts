// Wires the channel relay to the supervisor: worker payloads in, deliveries out through it, exits and IPC drops as its events.
import { INSTANCE_ENV } from "../channel/protocol.ts";
import { ChannelRelay } from "../channel/master/relay.ts";
import type { AppConfig } from "../config/types.ts";
import { ipcDrops } from "./ipc-drops.ts";
import type { Supervisor } from "./supervisor.ts";

/** Creates the relay before the supervisor spawns anything: workers learn the instance id from the environment. */
export function startChannelRelay(config: AppConfig, supervisor: Supervisor): ChannelRelay {
  const relay = new ChannelRelay(config, supervisor);
  process.env[INSTANCE_ENV] = relay.instance;
  supervisor.onChannel = (payload, from) => relay.fromWorker(payload, from);
  ipcDrops.listen((event) => supervisor.emit(event));
  supervisor.on((event) => {
    if (event.type === "process-exited") relay.processGone(event.pid);
  });
  return relay;
}
