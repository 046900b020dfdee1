// The phone's storage: IndexedDB "gie-till". Tickets are written once, with their device sequence, in the same
// transaction as the outbox entry and the sequence counter, so a ticket is either fully saved or not at all.
//   meta      key → value: "device:<user id>" credentials, "seq:<device>" last sequence, "shift:<event>:<device>"
//   tickets   every ticket rung here (history: today's list, receipts, refunds, the Z), with its sync status
//   outbox    the tickets not yet acknowledged by the server (deleted only on stored / duplicate / held)
//   shifts    the shifts opened here, with what the server acknowledged and its Z
//   catalogue the event's catalogue as last fetched
const DB_NAME = "gie-till";
const VERSION = 1;
const ACKED = new Set(["stored", "duplicate", "held"]);
let opened = null;

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openDb() {
  if (opened) return opened;
  opened = new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      const tickets = db.createObjectStore("tickets", { keyPath: "id" });
      tickets.createIndex("event_day", ["event", "day"]);
      tickets.createIndex("shift", "shift");
      tickets.createIndex("refund_of", "refundOf");
      const outbox = db.createObjectStore("outbox", { keyPath: "id" });
      outbox.createIndex("device_seq", ["device", "seq"]);
      db.createObjectStore("shifts", { keyPath: "id" });
      db.createObjectStore("catalogue", { keyPath: "event" });
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close(); // a newer version of the app upgrades the schema in another tab
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
  return opened;
}

/** Run `work(stores)` in one transaction; resolves with its result once the transaction has committed. */
export async function transact(names, mode, work) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode, { durability: "strict" });
    const stores = Object.fromEntries(names.map((n) => [n, tx.objectStore(n)]));
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("transaction aborted"));
    Promise.resolve(work(stores)).then(
      (value) => { result = value; },
      (error) => {
        try { tx.abort(); } catch { /* already finished */ }
        reject(error);
      },
    );
  });
}

export const getMeta = (key) => transact(["meta"], "readonly", (s) => done(s.meta.get(key)));
export const setMeta = (key, value) => transact(["meta"], "readwrite", (s) => done(s.meta.put(value, key)));
export const deleteMeta = (key) => transact(["meta"], "readwrite", (s) => done(s.meta.delete(key)));

/** Every device credential stored on this phone (a phone may be shared by sellers). */
export async function devices() {
  return transact(["meta"], "readonly", async (s) => {
    const keys = await done(s.meta.getAllKeys(IDBKeyRange.bound("device:", "device:\uffff")));
    return Promise.all(keys.map((k) => done(s.meta.get(k))));
  });
}

/** Allocate the device's next sequence and save the ticket built with it, outbox entry included, atomically.
 * `build(sequence, shiftId)` gets the shift open now (read in the same transaction: another tab may have closed
 * it) and returns the ticket record ({id, device, event, day, shift, refundOf, payload, ...}). */
export function saveTicket(device, shiftKey, build) {
  return transact(["meta", "tickets", "outbox"], "readwrite", async (s) => {
    const key = `seq:${device}`;
    const sequence = ((await done(s.meta.get(key))) || 0) + 1;
    const record = build(sequence, (await done(s.meta.get(shiftKey))) || null);
    s.meta.put(sequence, key);
    s.tickets.put({ ...record, status: "pending", message: "" });
    s.outbox.put({ id: record.id, device, seq: sequence, payload: record.payload, message: "" });
    return record;
  });
}

export const outboxCount = () => transact(["outbox"], "readonly", (s) => done(s.outbox.count()));

/** Tickets of one device not yet acknowledged by the server. */
export function outboxCountOf(device) {
  const range = IDBKeyRange.bound([device, 0], [device, Infinity]);
  return transact(["outbox"], "readonly", (s) => done(s.outbox.index("device_seq").count(range)));
}
export const outboxAll = () => transact(["outbox"], "readonly", (s) => done(s.outbox.getAll()));

export function outboxBatch(device, limit) {
  const range = IDBKeyRange.bound([device, 0], [device, Infinity]);
  return transact(["outbox"], "readonly", (s) => done(s.outbox.index("device_seq").getAll(range, limit)));
}

export const getTicket = (id) => transact(["tickets"], "readonly", (s) => done(s.tickets.get(id)));

export function ticketsOfDay(event, day) {
  return transact(["tickets"], "readonly", (s) => done(s.tickets.index("event_day").getAll([event, day])));
}

export const ticketsOfShift = (shift) =>
  transact(["tickets"], "readonly", (s) => done(s.tickets.index("shift").getAll(shift)));

export const refundsOf = (id) =>
  transact(["tickets"], "readonly", (s) => done(s.tickets.index("refund_of").getAll(id)));

/** Apply the server's answer: forget acknowledged tickets from the outbox, record every status. Returns how many
 * tickets and shifts made progress (a batch the server refused entirely must not be re-sent in a loop). */
export function applyAcks(answer) {
  return transact(["tickets", "outbox", "shifts"], "readwrite", async (s) => {
    let progress = 0;
    for (const ack of answer.tickets || []) {
      const record = await done(s.tickets.get(ack.id));
      if (ACKED.has(ack.status)) {
        s.outbox.delete(ack.id);
        progress++;
      } else {
        const entry = await done(s.outbox.get(ack.id));
        if (entry) s.outbox.put({ ...entry, message: ack.message || ack.status });
      }
      if (record) s.tickets.put({ ...record, status: ack.status, message: ack.message || "" });
    }
    for (const ack of answer.shifts || []) {
      const shift = await done(s.shifts.get(ack.id));
      if (!shift) continue;
      const next = { ...shift, status: ack.status, message: ack.message || "" };
      if (ACKED.has(ack.status)) {
        next.acked = shift.payload.closed_at ? "closed" : "open";
        if (next.acked !== shift.acked) progress++;
      }
      if (ack.z) next.z = ack.z;
      s.shifts.put(next);
    }
    return progress;
  });
}

export const getShift = (id) => transact(["shifts"], "readonly", (s) => done(s.shifts.get(id)));
export const putShift = (shift) => transact(["shifts"], "readwrite", (s) => done(s.shifts.put(shift)));

/** Shifts whose latest state (open, or closed) the server has not acknowledged yet. */
export async function pendingShifts(device) {
  const all = await transact(["shifts"], "readonly", (s) => done(s.shifts.getAll()));
  return all.filter((sh) => sh.device === device && sh.acked !== (sh.payload.closed_at ? "closed" : "open"));
}

export async function allPendingShifts() {
  const all = await transact(["shifts"], "readonly", (s) => done(s.shifts.getAll()));
  return all.filter((sh) => sh.acked !== (sh.payload.closed_at ? "closed" : "open"));
}

/** Closed shifts the server acknowledged whose Z is missing or still provisional, closed less than `days` ago. */
export async function pendingZ(device, days) {
  const since = new Date(Date.now() - days * 86400000).toISOString();
  const all = await transact(["shifts"], "readonly", (s) => done(s.shifts.getAll()));
  return all.filter((sh) => sh.device === device && sh.acked === "closed" && (!sh.z || sh.z.provisional) &&
    sh.closedAtUtc >= since);
}

/** Open a shift and make it the device's current one for the event, in one transaction. */
export function openShift(shift) {
  return transact(["shifts", "meta"], "readwrite", (s) => {
    s.shifts.put(shift);
    s.meta.put(shift.id, `shift:${shift.event}:${shift.device}`);
    return shift;
  });
}

/** Record the close; the shift stops being the current one. */
export function closeShift(shift) {
  return transact(["shifts", "meta"], "readwrite", (s) => {
    s.shifts.put(shift);
    s.meta.delete(`shift:${shift.event}:${shift.device}`);
    return shift;
  });
}

export const getCatalogue = (event) => transact(["catalogue"], "readonly", (s) => done(s.catalogue.get(event)));
export const putCatalogue = (event, data) =>
  transact(["catalogue"], "readwrite", (s) => done(s.catalogue.put({ event, data, at: Date.now() })));

/** Forget synced tickets older than `days` (the outbox is never pruned). */
export function pruneHistory(days) {
  const limit = new Date(Date.now() - days * 86400000).toISOString().slice(0, 10);
  return transact(["tickets", "outbox"], "readwrite", async (s) => {
    const all = await done(s.tickets.getAll());
    for (const t of all) {
      if (t.day < limit && !(await done(s.outbox.get(t.id)))) s.tickets.delete(t.id);
    }
  });
}

/** A seller leaves a shared phone: forget what shows their work — the tickets already sent (history), the shifts
 * closed with a final Z, and the credentials of devices with nothing left to send and no shift open. Never a ticket
 * or a shift the server has not acknowledged: those stay, with their device's credentials, and are sent by the
 * next till opened on this phone. Returns what was kept: {tickets, devices}. */
export function forgetSent() {
  return transact(["meta", "tickets", "outbox", "shifts"], "readwrite", async (s) => {
    const waiting = new Set(await done(s.outbox.getAllKeys()));
    for (const ticket of await done(s.tickets.getAll())) {
      if (!waiting.has(ticket.id)) s.tickets.delete(ticket.id);
    }
    const busy = new Set((await done(s.outbox.getAll())).map((o) => o.device));
    for (const shift of await done(s.shifts.getAll())) {
      const closed = Boolean(shift.payload.closed_at);
      const acked = shift.acked === (closed ? "closed" : "open");
      if (closed && acked && shift.z && !shift.z.provisional) s.shifts.delete(shift.id);
      else busy.add(shift.device);
    }
    const keys = await done(s.meta.getAllKeys());
    for (const key of keys) if (String(key).startsWith("shift:")) busy.add(String(key).split(":").pop());
    let devices = 0;
    for (const key of keys.filter((k) => String(k).startsWith("device:"))) {
      const device = await done(s.meta.get(key));
      if (device && busy.has(device.id)) devices++;
      else s.meta.delete(key);
    }
    return { tickets: waiting.size, devices };
  });
}
