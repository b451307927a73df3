// Correctness bookkeeping for the soak: what was sent, who must receive it, by when.
//
//   targeted  offer / answer / ice: delivered to its target, once, and to nobody else
//   chat      a `message`: delivered to every member of the room at send time, the sender too
//   leave     a departed member's `leave`: delivered once to every member that stayed, with the
//             streamId of its SDP (or null when it never sent one)
//
// Deadlines: graceMs for targeted and chat messages; leaveGraceMs for leaves (the soak passes
// --sockjs-disconnect-delay-ms + 5 s: an abandoned SockJS HTTP session is only noticed after
// the disconnect delay).
//
// "Member of the room" is the harness's view: a member counts from the moment its own join echo
// arrived (so the server had bound it before anything it is expected to get was sent) until it
// starts departing. An entry whose sender or receiver departed before the entry was checked is
// excused (counted, not a violation): a message to a member that left may be dropped, and so
// may one that an abruptly closed socket never got to send.

const MAX_KEPT = 40;

export class Ledger {
  constructor({ graceMs, leaveGraceMs }) {
    this.graceMs = graceMs;
    this.leaveGraceMs = leaveGraceMs;
    this.signals = new Map(); // seq -> {from, to, at, delivered}
    this.chats = new Map(); // seq -> {from, at, waiting: Set<member>}
    this.leaves = []; // {member, at, waiting: Set<member>}
    this.overdue = new Map(); // member whose leave missed its deadline -> time it departed
    this.lateLeaves = []; // "<id> (<transport>) after <s> s": overdue leaves that came after all
    this.violationCount = 0;
    this.violationsByKind = new Map();
    this.kept = [];
    this.stats = {
      signalsChecked: 0,
      signalsExcused: 0,
      chatsChecked: 0,
      chatDeliveriesChecked: 0,
      chatDeliveriesExcused: 0,
      leavesChecked: 0,
      leaveDeliveriesChecked: 0,
      leaveDeliveriesExcused: 0,
    };
  }

  violation(kind, detail) {
    this.violationCount += 1;
    this.violationsByKind.set(kind, (this.violationsByKind.get(kind) ?? 0) + 1);
    if (this.kept.length < MAX_KEPT) this.kept.push(`${kind}: ${detail}`);
  }

  get pending() {
    return this.signals.size + this.chats.size + this.leaves.length;
  }

  // --- targeted -------------------------------------------------------------------------------

  sentSignal(seq, from, to, now) {
    this.signals.set(seq, { from, to, at: now, delivered: false });
  }

  receivedSignal(receiver, json) {
    if (json.target !== receiver.id) {
      this.violation('targeted-to-other', `${json.type} ${json.seq} for ${json.target} reached ${receiver.id}`);
    }
    const entry = this.signals.get(json.seq);
    if (!entry) {
      // already checked (a late or duplicate delivery) or never sent by this run
      this.violation('targeted-unknown', `${json.type} ${json.seq} from ${json.from} reached ${receiver.id}`);
      return;
    }
    if (entry.to !== receiver) {
      this.violation('targeted-to-other', `${json.type} ${json.seq} for ${entry.to.id} reached ${receiver.id}`);
      return;
    }
    if (entry.delivered) this.violation('targeted-duplicate', `${json.type} ${json.seq} to ${receiver.id}`);
    entry.delivered = true;
    if (json.type !== 'ice') entry.from.deliveredSdp = true;
  }

  // --- chat -----------------------------------------------------------------------------------

  sentChat(seq, from, recipients, now) {
    this.chats.set(seq, { from, at: now, waiting: new Set(recipients), total: recipients.length });
  }

  receivedChat(receiver, json) {
    const entry = this.chats.get(json.seq);
    if (!entry) return; // checked already, or the receiver was not expected (joined later)
    entry.waiting.delete(receiver);
  }

  // --- leave ----------------------------------------------------------------------------------

  departed(member, stayers, now) {
    this.leaves.push({ member, at: now, waiting: new Set(stayers), total: stayers.length });
  }

  receivedLeave(receiver, json, departedMember) {
    if (json.from === receiver.id) this.violation('leave-to-self', `${receiver.id} got its own leave`);
    if (receiver.leavesSeen.has(json.from)) {
      this.violation('leave-duplicate', `${receiver.id} got the leave of ${json.from} twice`);
    }
    receiver.leavesSeen.add(json.from);
    if (departedMember && this.overdue.has(departedMember)) {
      const s = (Date.now() - this.overdue.get(departedMember)) / 1000;
      this.lateLeaves.push(`${departedMember.id} (${departedMember.transport}, ${departedMember.departMode}) after ${s.toFixed(1)} s`);
      this.overdue.delete(departedMember);
    }
    if (departedMember) {
      // parley learns the streamId from the SDP it relays: null before any, the member's own
      // after one was delivered (known here before the member started to depart), either
      // while its SDP was in flight.
      const d = departedMember;
      const allowed = d.sdpDeliveredBeforeDepart ? [d.streamId] : d.sentSdp ? [d.streamId, null] : [null];
      if (!allowed.includes(json.streamId)) {
        this.violation(
          'leave-streamId',
          `leave of ${json.from}: streamId ${JSON.stringify(json.streamId)}, expected ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`,
        );
      }
    }
    for (const entry of this.leaves) {
      if (entry.member.id === json.from) entry.waiting.delete(receiver);
    }
  }

  // --- checks ---------------------------------------------------------------------------------

  // Checks every entry whose deadline passed (all of them when `all`).
  sweep(now, all = false) {
    const due = (at, grace) => all || now - at >= grace;
    for (const [seq, e] of this.signals) {
      if (!due(e.at, this.graceMs)) continue;
      this.signals.delete(seq);
      this.stats.signalsChecked += 1;
      if (e.delivered) continue;
      if (e.from.departing || e.to.departing) this.stats.signalsExcused += 1;
      else this.violation('targeted-lost', `${seq} from ${e.from.id} to ${e.to.id} not delivered in ${this.graceMs} ms`);
    }
    for (const [seq, e] of this.chats) {
      if (e.waiting.size > 0 && !due(e.at, this.graceMs)) continue;
      this.chats.delete(seq);
      this.stats.chatsChecked += 1;
      this.stats.chatDeliveriesChecked += e.total;
      for (const m of e.waiting) {
        if (m.departing || e.from.departing) this.stats.chatDeliveriesExcused += 1;
        else this.violation('chat-lost', `${seq} from ${e.from.id} never reached ${m.id} (room ${m.room.key})`);
      }
    }
    this.leaves = this.leaves.filter((e) => {
      if (e.waiting.size > 0 && !due(e.at, this.leaveGraceMs)) return true;
      this.stats.leavesChecked += 1;
      for (const m of e.waiting) {
        if (m.departing) this.stats.leaveDeliveriesExcused += 1;
        else {
          this.overdue.set(e.member, e.at);
          this.violation(
            'leave-lost',
            `${m.id} never got the leave of ${e.member.id} (${e.member.transport}, ${e.member.departMode}) in ${this.leaveGraceMs} ms`,
          );
        }
      }
      this.stats.leaveDeliveriesChecked += e.total;
      return false;
    });
  }
}
