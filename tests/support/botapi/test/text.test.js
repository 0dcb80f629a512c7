'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { formatText, userText } = require('../lib/text');
const { RateLimiter } = require('../lib/limits');
const { UpdateQueue } = require('../lib/updates');

const format = (text, parseMode) => formatText({ text, parseMode, maxLength: 4096 });
const description = (fn) => {
  try {
    fn();
  } catch (error) {
    return error.description;
  }
  return null;
};

test('message text is trimmed, detected and limited after parsing', () => {
  assert.deepEqual(format('  <b>hi</b> /start  ', 'HTML'), {
    text: 'hi /start',
    entities: [{ offset: 0, length: 2, type: 'bold' }, { offset: 3, length: 6, type: 'bot_command' }],
  });
  assert.equal(description(() => format('<b> </b>', 'HTML')), 'Bad Request: message text is empty');
  assert.equal(format('<b>x</b>'.repeat(4096), 'HTML').text.length, 4096);
  assert.equal(description(() => format('x'.repeat(4097))), 'Bad Request: message is too long');
  assert.equal(description(() => format('x', 'nope')), 'Bad Request: unsupported parse_mode');
});

test('user text gets commands and mentions like a Telegram client', () => {
  assert.deepEqual(userText('/ask@policybot_test_bot what? cc @someone').entities, [
    { offset: 0, length: 23, type: 'bot_command' },
    { offset: 33, length: 8, type: 'mention' },
  ]);
  assert.deepEqual(userText('😀 @abc_1 a/b').entities, [{ offset: 3, length: 6, type: 'mention' }]);
});

test('group limit counts a minute, private chats a refilling burst', () => {
  const limiter = new RateLimiter({ groupPerMinute: 2, chatBurst: 2, chatPerSecond: 1 });
  const group = { id: -1, type: 'group' };
  limiter.consume(group, 0);
  limiter.consume(group, 10);
  assert.throws(() => limiter.consume(group, 20), { code: 429, parameters: { retry_after: 60 } });
  limiter.consume({ id: 5, type: 'private' }, 20);
  limiter.consume({ id: 5, type: 'private' }, 21);
  assert.throws(() => limiter.consume({ id: 5, type: 'private' }, 22), { code: 429 });
  limiter.consume({ id: 5, type: 'private' }, 1100);
});

test('updates stay until an offset confirms them; negative offsets keep the tail', () => {
  const queue = new UpdateQueue(10);
  for (const n of [1, 2, 3]) queue.push('message', { n });
  assert.deepEqual(queue.take(100).map((u) => u.update_id), [10, 11, 12]);
  queue.confirm(11);
  assert.deepEqual(queue.take(1).map((u) => u.update_id), [11]);
  queue.confirm(-1);
  assert.deepEqual(queue.take(100).map((u) => u.update_id), [12]);
  assert.equal(queue.push('message_reaction', {}).queued, false);
});
