'use strict';

/*
 * Telegram's flood limits for outgoing messages (core.telegram.org/bots/faq): about one
 * message per second per chat with short bursts tolerated (a token bucket), at most 20
 * messages per minute per group and about 30 messages per second overall (sliding windows).
 * Only calls that pass are counted; a refused call gets 429 with the seconds to wait.
 */
const { tooManyRequests } = require('./errors');

const DEFAULT_LIMITS = {
  enabled: true,
  chatBurst: 10,       // messages a single chat may receive back to back
  chatPerSecond: 1,    // refill rate of that bucket
  groupPerMinute: 20,  // per group/supergroup/channel
  globalPerSecond: 30, // across all chats
};

const GROUP_TYPES = new Set(['group', 'supergroup', 'channel']);

class RateLimiter {
  constructor(limits) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.buckets = new Map(); // chat id -> {tokens, at}
    this.groupSends = new Map(); // chat id -> send times (ms) within the last minute
    this.globalSends = []; // send times (ms) within the last second
  }

  /** Throw 429 if sending to `chat` now would exceed a limit; otherwise record the send. */
  consume(chat, now = Date.now()) {
    const { limits } = this;
    if (!limits.enabled) return;
    const waits = [];

    const bucket = this.buckets.get(chat.id) || { tokens: limits.chatBurst, at: now };
    bucket.tokens = Math.min(limits.chatBurst,
      bucket.tokens + ((now - bucket.at) / 1000) * limits.chatPerSecond);
    bucket.at = now;
    if (bucket.tokens < 1) waits.push((1 - bucket.tokens) / limits.chatPerSecond);

    const group = GROUP_TYPES.has(chat.type) ? prune(this.groupSends.get(chat.id) || [], now - 60000) : null;
    if (group && group.length >= limits.groupPerMinute) waits.push((group[0] + 60000 - now) / 1000);

    this.globalSends = prune(this.globalSends, now - 1000);
    if (this.globalSends.length >= limits.globalPerSecond) {
      waits.push((this.globalSends[0] + 1000 - now) / 1000);
    }

    if (waits.length) {
      this.buckets.set(chat.id, bucket);
      throw tooManyRequests(Math.max(1, Math.ceil(Math.max(...waits))));
    }
    bucket.tokens -= 1;
    this.buckets.set(chat.id, bucket);
    if (group) this.groupSends.set(chat.id, [...group, now]);
    this.globalSends.push(now);
  }
}

function prune(times, since) {
  return times.filter((t) => t > since);
}

module.exports = { RateLimiter, DEFAULT_LIMITS };
