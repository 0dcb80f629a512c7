'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { FileStore, MAX_DOWNLOAD_BYTES } = require('../lib/files');

const description = (fn) => {
  try {
    fn();
  } catch (error) {
    return error.description;
  }
  return null;
};

test('documents get ids, getFile gives a path, and only described paths download', () => {
  const files = new FileStore();
  const doc = files.add({
    content: Buffer.from('讲话'), fileName: '../讲话.TXT', mimeType: 'text/plain',
  });
  assert.equal(doc.file_name, '../讲话.TXT');
  assert.equal(doc.file_size, 6);
  assert.equal(files.content('documents/whatever.txt'), undefined);
  const described = files.describe(doc.file_id);
  assert.match(described.file_path, /^documents\/file_\d+\.TXT$/);
  assert.equal(files.content(described.file_path).toString(), '讲话');
  assert.equal(files.view()[0].downloads, 1);
});

test('getFile refuses unknown ids and files bots may not download', () => {
  const files = new FileStore();
  assert.equal(description(() => files.describe('nope')), 'Bad Request: invalid file_id');
  const big = files.add({
    content: Buffer.from('x'), fileName: 'big.txt', fileSize: MAX_DOWNLOAD_BYTES + 1,
  });
  assert.equal(description(() => files.describe(big.file_id)), 'Bad Request: file is too big');
});
