'use strict';

/*
 * The bot's update queue with Telegram's getUpdates semantics: updates stay queued until a
 * later call confirms them with a higher offset, a negative offset keeps only the last
 * -offset updates, allowed_updates filters what gets queued, and one long poll at a time
 * waits for new updates (a newer poll terminates the older one with 409, as in Telegram).
 */
const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

class UpdateQueue {
  constructor(firstUpdateId) {
    this.nextId = firstUpdateId;
    this.pending = [];
    this.log = []; // every update ever offered, with delivery bookkeeping
    this.allowed = null; // null: Telegram's default set
    this.poll = null; // the waiting long poll, if any
  }

  accepts(type) {
    return this.allowed ? this.allowed.has(type) : !DEFAULT_EXCLUDED.has(type);
  }

  /** Set allowed_updates as getUpdates/setWebhook do: [] restores the default. */
  setAllowed(types) {
    if (!Array.isArray(types)) return;
    this.allowed = types.length ? new Set(types) : null;
  }

  /** Queue an update of `type`; returns {update, queued, reason}. */
  push(type, payload, { deliver = true, reason } = {}) {
    const update = { update_id: this.nextId, [type]: payload };
    this.nextId += 1;
    let why = deliver ? null : reason;
    if (!why && !this.accepts(type)) why = `"${type}" is not in allowed_updates`;
    const entry = { update, type, queued: !why, reason: why, deliveries: 0, confirmed: false };
    this.log.push(entry);
    if (entry.queued) {
      this.pending.push(entry);
      this.wake('update');
    }
    return { update, queued: entry.queued, reason: why };
  }

  /** Apply getUpdates' offset: confirm (forget) everything below it. */
  confirm(offset) {
    if (offset === undefined || offset === null || offset === 0) return;
    let keep;
    if (offset < 0) keep = this.pending.slice(offset);
    else keep = this.pending.filter((e) => e.update.update_id >= offset);
    for (const e of this.pending) if (!keep.includes(e)) e.confirmed = true;
    this.pending = keep;
  }

  /** Up to `limit` queued updates, oldest first; they stay queued until confirmed. */
  take(limit) {
    const batch = this.pending.slice(0, limit);
    for (const e of batch) e.deliveries += 1;
    return batch.map((e) => e.update);
  }

  /** Drop everything queued (deleteWebhook/setWebhook with drop_pending_updates). */
  drop() {
    for (const e of this.pending) e.confirmed = true;
    this.pending = [];
  }

  /**
   * Wait up to timeoutMs for an update. Resolves with 'update', 'timeout', 'closed' (client
   * went away), 'superseded' (a newer poll arrived) or 'reset'.
   */
  wait(timeoutMs, response) {
    this.wake('superseded');
    return new Promise((resolve) => {
      const finish = (why) => {
        clearTimeout(timer);
        response.off('close', onClose);
        if (this.poll === poll) this.poll = null;
        resolve(why);
      };
      const onClose = () => finish('closed');
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const poll = { finish };
      this.poll = poll;
      response.on('close', onClose);
    });
  }

  wake(why) {
    if (this.poll) this.poll.finish(why);
  }

  view() {
    const row = (e) => ({
      update_id: e.update.update_id, type: e.type, queued: e.queued, reason: e.reason,
      deliveries: e.deliveries, confirmed: e.confirmed, update: e.update,
    });
    return { pending: this.pending.map(row), all: this.log.map(row) };
  }
}

module.exports = { UpdateQueue };
