'use strict';

/*
 * Fault injection for tests: the next N calls of a method (or "*" for any) answer with a
 * chosen HTTP status and Telegram-shaped body, answer normally after a delay, or have their
 * connection dropped. A faulted call has no side effects, like a real 429 or 5xx.
 */
const { ApiError, ControlError, tooManyRequests } = require('./errors');

const PREFIX = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const MAX_DELAY_SECONDS = 60;

class Faults {
  constructor() {
    this.pending = [];
  }

  /** Queue a fault; validates it so a typo in a test fails loudly at injection time. */
  add({ method, status = 200, count = 1, retry_after: retryAfter, description, delay, drop }) {
    if (!method || typeof method !== 'string') {
      throw new ControlError('fault needs a method name or "*"');
    }
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new ControlError(`bad status ${status}`);
    }
    if (!Number.isInteger(count) || count < 1) throw new ControlError(`bad count ${count}`);
    if (delay !== undefined && delay !== null && !(delay >= 0 && delay <= MAX_DELAY_SECONDS)) {
      throw new ControlError(`delay must be between 0 and ${MAX_DELAY_SECONDS} seconds`);
    }
    this.pending.push({
      method: method.toLowerCase(), status, remaining: count, retryAfter, description,
      delay: delay || 0, drop: Boolean(drop),
    });
  }

  /** The fault for this call, if any, consuming one use of it. */
  take(method) {
    const name = method.toLowerCase();
    const fault = this.pending.find((f) => f.method === name || f.method === '*');
    if (!fault) return null;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(this.pending.indexOf(fault), 1);
    return fault;
  }

  list() {
    return this.pending.map(({ method, status, remaining, retryAfter, description, delay, drop }) => ({
      method, status, remaining, retry_after: retryAfter, description, delay, drop,
    }));
  }
}

/** The ApiError a fault answers with, or null when the call should then proceed normally. */
function faultError(fault) {
  const { status, retryAfter, description } = fault;
  if (status < 300) return null;
  if (status === 429) {
    const error = tooManyRequests(retryAfter ?? 1);
    if (description) error.description = description;
    return error;
  }
  const prefix = PREFIX[status] || 'Error';
  let text = description || prefix;
  if (description && !description.startsWith(prefix) && [400, 401, 403, 409].includes(status)) {
    text = `${prefix}: ${description}`;
  }
  return new ApiError(status, text);
}

module.exports = { Faults, faultError };
