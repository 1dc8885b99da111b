// One worker process's uid and group memberships, with the per-key counts that changed since the master last heard.
import type { Connection } from "../../worker/types.ts";
import { checkGroupCount } from "../channel-limits.ts";

interface Membership {
  uid?: string;
  groups: Set<string>;
}

export interface BindingChanges {
  uids: [string, number][];
  groups: [string, number][];
}

export class LocalBindings {
  readonly uids = new Map<string, Set<Connection>>();
  readonly groups = new Map<string, Set<Connection>>();
  readonly #members = new Map<Connection, Membership>();
  // What a closed connection held, so uidOf/groupsOf still answer in its onClose (which runs after the close
  // removed it from the indexes); weak, so it goes with the connection.
  readonly #departed = new WeakMap<Connection, Membership>();
  // Keys whose local count changed: the master gets absolute counts, so repeats and reordering within a batch are harmless.
  #dirtyUids = new Set<string>();
  #dirtyGroups = new Set<string>();

  get dirty(): boolean {
    return this.#dirtyUids.size > 0 || this.#dirtyGroups.size > 0;
  }

  bind(conn: Connection, uid: string): void {
    const member = this.#member(conn);
    if (member.uid === uid) return;
    if (member.uid !== undefined) this.#removeFrom(this.uids, member.uid, conn, this.#dirtyUids);
    member.uid = uid;
    this.#addTo(this.uids, uid, conn, this.#dirtyUids);
  }

  unbind(conn: Connection): void {
    const member = this.#members.get(conn);
    if (member?.uid === undefined) return;
    this.#removeFrom(this.uids, member.uid, conn, this.#dirtyUids);
    member.uid = undefined;
    this.#dropIfEmpty(conn, member);
  }

  join(conn: Connection, group: string): void {
    const member = this.#member(conn);
    if (member.groups.has(group)) return;
    checkGroupCount(member.groups.size, group);
    member.groups.add(group);
    this.#addTo(this.groups, group, conn, this.#dirtyGroups);
  }

  leave(conn: Connection, group: string): void {
    const member = this.#members.get(conn);
    if (!member?.groups.delete(group)) return;
    this.#removeFrom(this.groups, group, conn, this.#dirtyGroups);
    this.#dropIfEmpty(conn, member);
  }

  /** The connection closed: every binding ends. */
  forget(conn: Connection): void {
    const member = this.#members.get(conn);
    if (!member) return;
    if (member.uid !== undefined) this.#removeFrom(this.uids, member.uid, conn, this.#dirtyUids);
    for (const group of member.groups) this.#removeFrom(this.groups, group, conn, this.#dirtyGroups);
    this.#members.delete(conn);
    this.#departed.set(conn, { uid: member.uid, groups: new Set(member.groups) });
  }

  uidOf(conn: Connection): string | undefined {
    return (this.#members.get(conn) ?? this.#departed.get(conn))?.uid;
  }

  groupsOf(conn: Connection): string[] {
    return [...((this.#members.get(conn) ?? this.#departed.get(conn))?.groups ?? [])];
  }

  /** The uids bound to members of `group` in this process (members without a uid are not listed). */
  uidsIn(group: string): string[] {
    const uids = new Set<string>();
    for (const conn of this.groups.get(group) ?? []) {
      const uid = this.#members.get(conn)?.uid;
      if (uid !== undefined) uids.add(uid);
    }
    return [...uids];
  }

  /** The counts that changed since the last call, and forgets them. */
  takeChanges(): BindingChanges {
    const changes: BindingChanges = {
      uids: [...this.#dirtyUids].map((uid) => [uid, this.uids.get(uid)?.size ?? 0]),
      groups: [...this.#dirtyGroups].map((group) => [group, this.groups.get(group)?.size ?? 0]),
    };
    this.#dirtyUids.clear();
    this.#dirtyGroups.clear();
    return changes;
  }

  /** Changes taken but not delivered: they are taken again next time (with the counts of then). */
  markChanged(changes: BindingChanges): void {
    for (const [uid] of changes.uids) this.#dirtyUids.add(uid);
    for (const [group] of changes.groups) this.#dirtyGroups.add(group);
  }

  #member(conn: Connection): Membership {
    let member = this.#members.get(conn);
    if (!member) this.#members.set(conn, (member = { groups: new Set() }));
    return member;
  }

  #dropIfEmpty(conn: Connection, member: Membership): void {
    if (member.uid === undefined && member.groups.size === 0) this.#members.delete(conn);
  }

  #addTo(index: Map<string, Set<Connection>>, key: string, conn: Connection, dirty: Set<string>): void {
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(conn);
    dirty.add(key);
  }

  #removeFrom(index: Map<string, Set<Connection>>, key: string, conn: Connection, dirty: Set<string>): void {
    const set = index.get(key);
    if (!set?.delete(conn)) return;
    if (set.size === 0) index.delete(key);
    dirty.add(key);
  }
}
