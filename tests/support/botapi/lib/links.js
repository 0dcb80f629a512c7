'use strict';

/*
 * URL checks for <a href> and inline buttons. TDLib normalises "telegram.org" to
 * "http://telegram.org/" and silently drops links it cannot use; we do the same with the
 * WHATWG URL parser, which is close enough for a test server.
 */
const APP_SCHEMES = new Set(['tg', 'ton', 'tonsite']);
const WEB_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

function plausibleHost(hostname) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || /\.[a-z\u00a1-\uffff-]{2,}$/i.test(hostname);
}

/** The normalised link Telegram would store, or null when Telegram would drop it. */
function checkedUrl(raw) {
  const url = String(raw || '');
  if (!url || /\s/.test(url)) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (scheme && APP_SCHEMES.has(scheme[1].toLowerCase())) return url;
  try {
    const parsed = new URL(scheme ? url : `http://${url}`);
    if (!WEB_SCHEMES.has(parsed.protocol) || !plausibleHost(parsed.hostname)) return null;
    return parsed.href;
  } catch {
    return null;
  }
}

/** tg://user?id=123 links become text_mention entities in Telegram. */
function userIdFromLink(url) {
  const m = /^tg:(?:\/\/)?user\?id=(\d+)$/i.exec(String(url || '').trim());
  return m ? Number(m[1]) : null;
}

module.exports = { checkedUrl, userIdFromLink };
