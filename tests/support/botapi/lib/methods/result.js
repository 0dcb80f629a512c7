'use strict';

/** Special handler results understood by the dispatcher in app.js. */

/** Hand the request to telegram-test-api's own route. */
const DELEGATE = Symbol('delegate to telegram-test-api');

/** A successful answer that also carries a "description", as setWebhook's does. */
class Described {
  constructor(result, description) {
    this.result = result;
    this.description = description;
  }
}

module.exports = { DELEGATE, Described };
