// `workerman-app --help`: the commands and options.
import { VERSION } from "../version.ts";

export const HELP = `workerman-app ${VERSION}: a multi-process application server for Bun

Usage: workerman-app [command] [--config app.json] [options]     (every --option X also reads --option=X)

Commands:
  start [-d]       start the master and its workers (the default command; -d: in the background,
                   output in <dataDir>/workerman.log)
  stop [-g]        stop the running master (-g: wait for connections to end)
  restart [-d]     a new master (e.g. a new executable) takes over from the running one, which then drains
  restart --process PID [--json]
                   replace one worker process: its successor is ready before it drains
  reload [-g] [--group G] [--no-wait]
                   re-read app.json and start a new generation of workers; once every new process is ready and
                   stays up for reload.healthySeconds the old one drains, else the new one is stopped (rolled back).
                   The old one then stays parked for reload.probationSeconds and takes over again if a new one exits.
                   Waits for the outcome: exit 0 all replaced, 1 a group rolled back, 2 invalid config
  retry --group G  start now the group's processes waiting in crash backoff
  diff [--json]    what a reload with --config F would change per group (and what needs a restart), applying nothing
  status [--json]  show every process of the running master ("-": not reported yet)
  status --cluster [--json]
                   every instance joined by cluster.redis: a line each (STALE when it stopped announcing), its rows under it
  reload --cluster [-g] [--order A,B]
                   reload the instances one at a time (this one last, or in --order: hosts or instance ids), each
                   through its own health gate; stops at the first rollback. Needs cluster.secretFile on every instance
  connections [--json] [--group G]
                   list open connections (pid, worker, cid, transport, protocol, queues, bytes, state, addresses)
  logs [--group G] [--pid P] [-n N] [-f] [--json]
                   the last N lines (default 50) of the log, of one group ("master": the master's own) or pid;
                   -f: keep following. Reads <dataDir>/workerman.log, or asks a foreground master
  push (--uid U | --group G [--keep] | --all [--worker-group W]) MESSAGE
                   send MESSAGE to a uid's connections, a group, or every connection (cluster-wide with cluster.redis)
  init [DIR]       write a small typed project into DIR (default .): app.json, handlers, tsconfig.json, types/
  service [--user U]
                   print a systemd unit that runs this config (install: see docs/cli.md)
  check            validate the config and exit (0 valid, 2 invalid)
  schema           print the JSON Schema of app.json
  help, version

Options:
  -c, --config F   the config file (default ./app.json); control commands use it to find the running master
  -d, --daemon     run in the background
  -g, --graceful   graceful stop or reload
  --no-wait        reload: return once the reload has begun
  --cluster        status, reload: every instance joined by cluster.redis
  --order A,B      reload --cluster: the instances in this order
  --group G        reload or retry only this group (connections, logs: only this group); push: the channel group
  --process PID    restart: only this worker process
  --pid P          logs: only this process
  -n, --lines N    logs: how many lines
  -f, --follow     logs: keep printing new lines
  --uid U          push: the uid
  --all            push: every connection
  --worker-group W push --all: only the connections of worker group W
  --keep           push --group: keep it in the group's history (channel.history), with an offset
  --user U         service: the unit's User=
  --json           machine-readable output (status, connections, diff, logs: one JSON object per line, restart --process)
  -h, --help       this text
  -v, --version    the version
`;

export function helpCommand(): number {
  process.stdout.write(HELP);
  return 0;
}
