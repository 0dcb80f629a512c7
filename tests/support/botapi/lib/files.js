'use strict';

/*
 * Files users sent (documents), as Telegram keeps them: an opaque file_id in the message,
 * getFile turning it into a file_path, and the bytes served at
 * /file/bot<token>/<file_path>. Bots may download files up to 20 MB; getFile refuses bigger
 * ones with "file is too big", as Telegram does.
 */
const crypto = require('crypto');
const { badRequest } = require('./errors');

const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

let sequence = 0; // process-wide, so file ids and paths never repeat across resets

class FileStore {
  constructor() {
    this.byId = new Map();
    this.byPath = new Map();
  }

  /**
   * Keep `content` (a Buffer) and return the Telegram document fields for a message.
   * `fileSize` overrides the size Telegram reports (default: the content's length).
   */
  add({ content, fileName, mimeType, fileSize, fileId }) {
    sequence += 1;
    const id = fileId || `BQACAgIAAx0${crypto.randomBytes(18).toString('base64url')}`;
    if (this.byId.has(id)) throw new Error(`file_id ${id} already exists`);
    const unique = `AgAD${crypto.randomBytes(6).toString('base64url')}`;
    const dot = (fileName || '').lastIndexOf('.');
    const ext = dot > 0 ? fileName.slice(dot + 1).replace(/[^A-Za-z0-9]/g, '').slice(0, 8) : '';
    const path = `documents/file_${sequence}${ext ? `.${ext}` : ''}`;
    const size = fileSize ?? content.length;
    const entry = { id, unique, path, size, content };
    this.byId.set(id, entry);
    this.byPath.set(path, entry);
    const document = { file_id: id, file_unique_id: unique, file_size: size };
    if (fileName !== undefined && fileName !== null) document.file_name = fileName;
    if (mimeType) document.mime_type = mimeType;
    return document;
  }

  /** getFile's answer; 400 like Telegram for unknown ids and files over 20 MB. */
  describe(fileId) {
    const entry = this.byId.get(String(fileId || ''));
    if (!entry) throw badRequest('invalid file_id');
    if (entry.size > MAX_DOWNLOAD_BYTES) throw badRequest('file is too big');
    entry.described = true;
    return {
      file_id: entry.id, file_unique_id: entry.unique, file_size: entry.size, file_path: entry.path,
    };
  }

  /** The bytes behind a file_path that getFile handed out, or undefined. */
  content(path) {
    const entry = this.byPath.get(path);
    if (!entry || !entry.described) return undefined;
    entry.downloads = (entry.downloads || 0) + 1;
    return entry.content;
  }

  view() {
    return [...this.byId.values()].map((e) => ({
      file_id: e.id, file_path: e.path, file_size: e.size, described: Boolean(e.described),
      downloads: e.downloads || 0,
    }));
  }
}

module.exports = { FileStore, MAX_DOWNLOAD_BYTES };
