// What the inbound connections of one listener share (runtime, protocol, framing, port), made once per listener.
import type { Protocol } from "../protocols/protocol.ts";
import type { ConnectionHost } from "./connection-host.ts";
import type { ConnectionHandlers } from "./types.ts";

/** What every inbound connection of one listener shares, held once instead of in each connection's own fields. */
export interface ConnectionSite {
  readonly runtime: ConnectionHost;
  readonly protocol: string;
  readonly handlers: ConnectionHandlers | null;
  readonly framing: Protocol | null;
  /** The listener's port (inbound), or the outbound connection's own local port once connected. */
  localPort: number;
}

const inboundSites = new WeakMap<ConnectionHost, Map<string, ConnectionSite>>();

/** The site the last inbound connection got: a listener makes all of its connections, so this nearly always matches. */
let lastSite: ConnectionSite | null = null;

/** Inbound connections of a runtime share one site per protocol (one listener, one framing); outbound get their own. */
export function siteFor(
  runtime: ConnectionHost,
  protocol: string,
  handlers: ConnectionHandlers | null,
  framing: Protocol | null,
  localPort: number,
): ConnectionSite {
  if (handlers !== null) return { runtime, protocol, handlers, framing, localPort };
  const last = lastSite;
  // Checked first: a UDP listener makes a connection per datagram, and two map lookups each would show in its profile.
  if (last !== null && last.runtime === runtime && last.protocol === protocol && last.framing === framing && last.localPort === localPort) return last;
  return (lastSite = inboundSite(runtime, protocol, framing, localPort));
}

function inboundSite(runtime: ConnectionHost, protocol: string, framing: Protocol | null, localPort: number): ConnectionSite {
  const handlers = null;
  let byProtocol = inboundSites.get(runtime);
  if (byProtocol === undefined) inboundSites.set(runtime, (byProtocol = new Map()));
  let site = byProtocol.get(protocol);
  if (site === undefined || site.framing !== framing || site.localPort !== localPort) {
    byProtocol.set(protocol, (site = { runtime, protocol, handlers, framing, localPort }));
  }
  return site;
}
