'use strict';

/** Every Bot API call in arrival order: method, decoded params, HTTP status, timing. */
class CallLog {
  constructor() {
    this.entries = [];
  }

  begin(method, params) {
    const entry = {
      seq: this.entries.length + 1, method, params, status: null, ok: null,
      time: Date.now() / 1000, duration: null,
    };
    this.entries.push(entry);
    return entry;
  }

  finish(entry, status, body) {
    if (entry.status !== null) return;
    entry.status = status;
    entry.ok = Boolean(body && body.ok);
    entry.duration = Date.now() / 1000 - entry.time;
    if (body && body.ok) entry.result = body.result;
    else if (body) Object.assign(entry, { description: body.description, error_code: body.error_code });
  }

  list(method) {
    if (!method) return this.entries;
    const name = method.toLowerCase();
    return this.entries.filter((e) => e.method.toLowerCase() === name);
  }
}

module.exports = { CallLog };
