'use strict';

/*
 * Callback and inline queries awaiting the bot's answer. Telegram accepts one answer per
 * query and only for a short while; later or repeated answers get
 * "query is too old and response timeout expired or query ID is invalid".
 */
const { badRequest, TEXT } = require('./errors');

let sequence = 0; // process-wide, so ids never repeat across resets

class QueryRegistry {
  constructor(ttlSeconds) {
    this.ttlMs = ttlSeconds * 1000;
    this.items = new Map();
  }

  create(kind, data) {
    sequence += 1;
    const base = kind === 'inline' ? 6100000000000000000n : 4100000000000000000n;
    const id = (base + BigInt(sequence)).toString();
    this.items.set(id, { id, kind, data, createdAt: Date.now(), answer: null, answeredAt: null });
    return id;
  }

  /** Record the answer, or throw Telegram's error for an unknown, stale or answered query. */
  answer(id, kind, answer) {
    const item = this.items.get(String(id));
    const stale = item && Date.now() - item.createdAt > this.ttlMs;
    if (!item || item.kind !== kind || stale || item.answer) throw badRequest(TEXT.queryInvalid);
    item.answer = answer;
    item.answeredAt = Date.now() / 1000;
    return item;
  }

  get(id) {
    return this.items.get(String(id));
  }
}

module.exports = { QueryRegistry };
