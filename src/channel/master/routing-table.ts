// The master's routing tables: which process holds which uid, group members and topic subscribers, by pid.
export interface InstanceChange {
  /** uid -> online on this instance (any process holds it). */
  uids: Map<string, boolean>;
  /** group -> connections in it on this instance. */
  groups: Map<string, number>;
}

interface Holdings {
  uids: Set<string>;
  groups: Set<string>;
  topics: Set<string>;
}

export class RoutingTable {
  /** uid -> pid -> connections bound to it in that process. */
  readonly uids = new Map<string, Map<number, number>>();
  readonly groups = new Map<string, Map<number, number>>();
  readonly topics = new Map<string, Set<number>>();
  readonly #byPid = new Map<number, Holdings>();
  // Instance-wide totals that changed, for the cluster's presence keys.
  #changedUids = new Set<string>();
  #changedGroups = new Set<string>();

  setUid(pid: number, uid: string, count: number): void {
    this.#setCount(this.uids, pid, uid, count, this.#holdings(pid).uids);
    this.#changedUids.add(uid);
  }

  setGroup(pid: number, group: string, count: number): void {
    this.#setCount(this.groups, pid, group, count, this.#holdings(pid).groups);
    this.#changedGroups.add(group);
  }

  subscribe(pid: number, topic: string): void {
    let pids = this.topics.get(topic);
    if (!pids) this.topics.set(topic, (pids = new Set()));
    pids.add(pid);
    this.#holdings(pid).topics.add(topic);
  }

  unsubscribe(pid: number, topic: string): void {
    const pids = this.topics.get(topic);
    if (pids?.delete(pid) && pids.size === 0) this.topics.delete(topic);
    this.#byPid.get(pid)?.topics.delete(topic);
  }

  /** A process exited: everything it held is gone. */
  dropProcess(pid: number): void {
    const held = this.#byPid.get(pid);
    if (!held) return;
    for (const uid of held.uids) this.setUid(pid, uid, 0);
    for (const group of held.groups) this.setGroup(pid, group, 0);
    for (const topic of held.topics) this.unsubscribe(pid, topic);
    this.#byPid.delete(pid);
  }

  uidHolders(uid: string): Iterable<number> {
    return this.uids.get(uid)?.keys() ?? [];
  }

  groupHolders(group: string): Iterable<number> {
    return this.groups.get(group)?.keys() ?? [];
  }

  topicHolders(topic: string): Iterable<number> {
    return this.topics.get(topic) ?? [];
  }

  uidOnline(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Distinct uids on this instance. */
  uidCount(): number {
    return this.uids.size;
  }

  groupCount(group: string): number {
    let sum = 0;
    for (const n of this.groups.get(group)?.values() ?? []) sum += n;
    return sum;
  }

  /** Instance-wide totals of the keys that changed since the last call. */
  takeChanges(): InstanceChange {
    const change: InstanceChange = {
      uids: new Map([...this.#changedUids].map((uid) => [uid, this.uidOnline(uid)])),
      groups: new Map([...this.#changedGroups].map((group) => [group, this.groupCount(group)])),
    };
    this.#changedUids.clear();
    this.#changedGroups.clear();
    return change;
  }

  get changed(): boolean {
    return this.#changedUids.size > 0 || this.#changedGroups.size > 0;
  }

  #holdings(pid: number): Holdings {
    let held = this.#byPid.get(pid);
    if (!held) this.#byPid.set(pid, (held = { uids: new Set(), groups: new Set(), topics: new Set() }));
    return held;
  }

  #setCount(index: Map<string, Map<number, number>>, pid: number, key: string, count: number, held: Set<string>): void {
    let byPid = index.get(key);
    if (count > 0) {
      if (!byPid) index.set(key, (byPid = new Map()));
      byPid.set(pid, count);
      held.add(key);
      return;
    }
    held.delete(key);
    if (byPid?.delete(pid) && byPid.size === 0) index.delete(key);
  }
}
