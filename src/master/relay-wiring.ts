// Wires the relays workers call (the channel, worker.shared) to the supervisor: workers' calls in through its options, deliveries out through it, exits and IPC drops as its events.
import { INSTANCE_ENV } from "../channel/protocol.ts";
import { ChannelRelay } from "../channel/master/relay.ts";
import type { AppConfig } from "../config/types.ts";
import { ipcDrops } from "./ipc-drops.ts";
import { startSharedState, type SharedStateHost } from "../key-value/master-host.ts";
import { closeGroupSocket, type bindUnixSockets } from "./group-sockets.ts";
import { Supervisor, type SupervisorOptions } from "./supervisor.ts";
import type { RelaySupervisor } from "./supervisor-interface.ts";

/** Creates the relay before the supervisor spawns anything: workers learn the instance id from the environment. */
export function startChannelRelay(config: AppConfig, supervisor: RelaySupervisor): ChannelRelay {
  const relay = new ChannelRelay(config, supervisor);
  process.env[INSTANCE_ENV] = relay.instance;
  ipcDrops.listen((event) => supervisor.emit(event));
  supervisor.on((event) => {
    if (event.type === "process-exited") relay.processGone(event.pid);
  });
  return relay;
}

export interface Relays {
  channel: ChannelRelay;
  shared: SharedStateHost;
}

/** What workers may call from their first moment, before they are spawned: the channel relay and worker.shared's store. */
export function startRelays(config: AppConfig, supervisor: RelaySupervisor): Relays {
  const channel = startChannelRelay(config, supervisor);
  return { channel, shared: startSharedState(config, channel) };
}

/** The supervisor: a removed group's socket is let go; workers' calls go to the relays (made after it: nothing arrives before start). */
export function supervisorOf(options: SupervisorOptions, sockets: Awaited<ReturnType<typeof bindUnixSockets>>, relays: () => Relays): Supervisor {
  const groupRemoved = (name: string) => closeGroupSocket(sockets, options.listenFds, name);
  const onChannel: SupervisorOptions["onChannel"] = (payload, from) => relays().channel.fromWorker(payload, from);
  return new Supervisor({ ...options, groupRemoved, onChannel, onShared: (request, from) => relays().shared.fromWorker(request, from) });
}
