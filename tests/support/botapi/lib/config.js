'use strict';

/*
 * Server settings from command-line flags, each also settable as an environment variable
 * BOTAPI_<FLAG> (e.g. --group-per-minute 3 or BOTAPI_GROUP_PER_MINUTE=3); flags win.
 */
const { DEFAULT_LIMITS } = require('./limits');

const FLAGS = {
  host: { key: 'host', parse: String, default: '127.0.0.1' },
  port: { key: 'port', parse: Number, default: 0 },
  token: { key: 'token', parse: String, default: '123456:TEST-token' },
  'bot-username': { key: 'botUsername', parse: String, default: 'policybot_test_bot' },
  'bot-name': { key: 'botName', parse: String, default: 'PolicyBot' },
  'privacy-mode': { key: 'privacyMode', parse: parseBool, default: true },
  'query-ttl': { key: 'queryTtl', parse: Number, default: 15 },
  'max-text-length': { key: 'maxTextLength', parse: Number, default: 4096 },
  'max-poll-timeout': { key: 'maxPollTimeout', parse: Number, default: 50 },
  'exit-with-stdin': { key: 'exitWithStdin', parse: parseBool, default: false },
  limits: limitFlag('enabled', parseBool),
  'chat-burst': limitFlag('chatBurst'),
  'chat-per-second': limitFlag('chatPerSecond'),
  'group-per-minute': limitFlag('groupPerMinute'),
  'global-per-second': limitFlag('globalPerSecond'),
};

function limitFlag(name, parse = Number) {
  return { key: `limits.${name}`, parse, default: DEFAULT_LIMITS[name] };
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

function parseBool(value) {
  if (['1', 'true', 'on', 'yes'].includes(String(value).toLowerCase())) return true;
  if (['0', 'false', 'off', 'no'].includes(String(value).toLowerCase())) return false;
  throw new Error(`expected on/off, got "${value}"`);
}

function assign(config, dotted, value) {
  const [head, tail] = dotted.split('.');
  if (tail) config[head][tail] = value;
  else config[head] = value;
}

function usage() {
  const flags = Object.keys(FLAGS).map((flag) => `--${flag}`).join(' ');
  return `usage: node server.js [--flag value ...]\nflags: ${flags}`;
}

/** Build the configuration from argv (without node and script) and env. */
function loadConfig(argv, env) {
  const config = { limits: {} };
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const envValue = env[`BOTAPI_${flag.toUpperCase().replace(/-/g, '_')}`];
    assign(config, spec.key, envValue === undefined ? spec.default : spec.parse(envValue));
  }
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].replace(/^--/, '').split('=');
    const spec = FLAGS[flag];
    if (!argv[i].startsWith('--') || !spec) throw new Error(`unknown argument ${argv[i]}\n${usage()}`);
    const value = inline ?? argv[(i += 1)];
    if (value === undefined) throw new Error(`--${flag} needs a value`);
    assign(config, spec.key, spec.parse(value));
  }
  for (const [key, value] of Object.entries({ ...config, ...config.limits })) {
    if (typeof value === 'number' && !(value >= 0)) throw new Error(`${key} must be a non-negative number`);
  }
  if (!LOOPBACK.test(config.host)) throw new Error(`refusing to listen on ${config.host}: loopback only`);
  if (!/^\d+:[\w-]+$/.test(config.token)) throw new Error('token must look like 123456:ABC-def');
  return config;
}

module.exports = { loadConfig };
