// The admin API's JSON shapes, shared by the master's routes, the CLI and the dashboard.
export interface StatusProcess {
  pid: number;
  group: string;
  index: number;
  generation: number;
  state: string;
  startedAt: number;
  restarts: number;
  listen: string;
  connections: number;
  requests: number;
  qps: number;
  sendFail: number;
  handlerErrors: number;
  protocolErrors: number;
  timers: number;
  rssBytes: number;
  cpuPercent: number;
}

export interface StatusGroup {
  name: string;
  listen: string;
  count: number;
  reloadable: boolean;
}

export interface StatusResponse {
  master: {
    pid: number;
    version: string;
    startedAt: number;
    configPath: string;
    name: string;
    /** net.ipv4.tcp_migrate_req: 1 lets reloads hand queued connections over; null when unreadable. */
    tcpMigrateReq: number | null;
  };
  groups: StatusGroup[];
  processes: StatusProcess[];
}

/** What the master writes to <dataDir>/runtime.json so control commands can find it. */
export interface RuntimeInfo {
  pid: number;
  adminUrl: string;
  configPath: string;
  startedAt: number;
  version: string;
  /** true once every worker of the first generation listens (or is being retried after a crash). */
  ready: boolean;
}
