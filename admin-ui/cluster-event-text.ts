// One line for each of the Redis link's events and refused cluster commands (event-text.ts spreads these into its table).
type Fields = Record<string, unknown>;

const seconds = (ms: unknown) => `${(Number(ms) / 1000).toFixed(1)} s`;

function resyncedText(r: unknown): string {
  const resynced = r as { uids?: number; groups?: number; newEpochs?: string[] } | null | undefined;
  if (!resynced) return "";
  const epochs = resynced.newEpochs?.length ? `, new history epoch for ${resynced.newEpochs.join(", ")}` : "";
  return `; resynced ${resynced.uids ?? 0} uid(s) and ${resynced.groups ?? 0} group count(s)${epochs}`;
}

export const CLUSTER_DESCRIBE = {
  "cluster-lost": (d: Fields) => ({
    text: `lost the Redis link: ${String(d.error)}; cross-host delivery and the cluster view stop until it is back`,
    bad: true,
  }),
  "cluster-rejoined": (d: Fields) => ({ text: `rejoined the cluster after ${seconds(d.outageMs)}${resyncedText(d.resynced)}`, bad: false }),
  "cluster-command-refused": (d: Fields) => ({ text: `refused a ${String(d.kind)} command from ${String(d.from)}: ${String(d.reason)}`, bad: true }),
};
