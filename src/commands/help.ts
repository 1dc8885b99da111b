// `workerman-app --help`: the commands and options.
import { VERSION } from "../version.ts";

export const HELP = `workerman-app ${VERSION}: a multi-process application server for Bun

Usage: workerman-app [command] [--config app.json] [options]

Commands:
  start [-d]       start the master and its workers (the default command; -d: in the background,
                   output in <dataDir>/workerman.log)
  stop [-g]        stop the running master (-g: wait for connections to end)
  restart [-d]     stop, then start with the same config
  reload [-g] [--group G] [--no-wait]
                   re-read app.json and start a new generation of workers; once every new process is ready and
                   stays up for reload.healthySeconds the old one drains, else the new one is stopped (rolled back).
                   Waits for the outcome: exit 0 all replaced, 1 a group rolled back, 2 invalid config
  retry --group G  start now the group's processes waiting in crash backoff
  diff [--json]    what a reload with --config F would change per group (and what needs a restart), applying nothing
  status [--json]  show every process of the running master
  connections [--json] [--group G]
                   list open connections (pid, worker, cid, transport, protocol, queues, bytes, state, addresses)
  push (--uid U | --group G | --all [--worker-group W]) MESSAGE
                   send MESSAGE to a uid's connections, a group, or every connection (cluster-wide with cluster.redis)
  check            validate the config and exit (0 valid, 2 invalid)
  schema           print the JSON Schema of app.json
  help, version

Options:
  -c, --config F   the config file (default ./app.json); control commands use it to find the running master
  -d, --daemon     run in the background
  -g, --graceful   graceful stop or reload
  --no-wait        reload: return once the reload has begun
  --group G        reload or retry only this group (connections: list only this group); push: the channel group
  --uid U          push: the uid
  --all            push: every connection
  --worker-group W push --all: only the connections of worker group W
  --json           machine-readable output
  -h, --help       this text
  -v, --version    the version
`;

export function helpCommand(): number {
  process.stdout.write(HELP);
  return 0;
}
