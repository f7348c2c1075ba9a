/** A call in a `<Dial><Conference>`. */
export interface Participant {
  callSid: string;
  number: string;
  endConferenceOnExit: boolean;
  /** The conference is over for this call: its `<Dial>` goes on. */
  release(reason: string): void;
}

/**
 * The conferences calls are in, by account and name: created by the first
 * `<Dial><Conference>` that names one, gone when the last participant leaves
 * or one with `endConferenceOnExit` does. Each change is told to every
 * participant's handset as a `call.conference` frame listing who is in.
 */
export class ConferenceRooms {
  readonly #rooms = new Map<string, Map<string, Participant>>();

  constructor(private readonly toHandset: (number: string, frame: object) => void) {}

  join(accountSid: string, name: string, participant: Participant): void {
    const key = `${accountSid}/${name}`;
    let room = this.#rooms.get(key);
    if (!room) this.#rooms.set(key, (room = new Map()));
    room.set(participant.callSid, participant);
    this.#tell(name, room);
  }

  leave(accountSid: string, name: string, callSid: string): void {
    const key = `${accountSid}/${name}`;
    const room = this.#rooms.get(key);
    const leaving = room?.get(callSid);
    if (!room || !leaving) return;
    room.delete(callSid);
    leaving.release('left');
    if (leaving.endConferenceOnExit) {
      this.#rooms.delete(key);
      for (const other of room.values()) other.release(`ended by ${leaving.number} (endConferenceOnExit)`);
      return;
    }
    if (room.size === 0) this.#rooms.delete(key);
    else this.#tell(name, room);
  }

  participants(accountSid: string, name: string): string[] {
    return [...(this.#rooms.get(`${accountSid}/${name}`)?.values() ?? [])].map((p) => p.number);
  }

  #tell(name: string, room: Map<string, Participant>): void {
    const numbers = [...room.values()].map((p) => p.number);
    for (const p of room.values()) this.toHandset(p.number, { type: 'call.conference', callSid: p.callSid, name, participants: numbers });
  }
}
