#!/usr/bin/env node
'use strict';

/*
 * Loopback Telegram Bot API server for end-to-end tests (see lib/app.js). Prints one JSON
 * line {"event": "listening", "port": N} on stdout once it accepts connections, logs to
 * stderr, and exits on SIGTERM/SIGINT or, with --exit-with-stdin on, when stdin closes
 * (so it cannot outlive the test process that started it).
 */
const http = require('http');
const { createApp } = require('./lib/app');
const { loadConfig } = require('./lib/config');

function main() {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`botapi: ${err.message}`);
    process.exit(2);
  }
  const { app } = createApp(config);
  const server = http.createServer(app);
  server.keepAliveTimeout = 5000;

  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    console.error(`botapi: stopping (${why})`);
    // A test server needs no graceful drain: refuse new connections, cut the rest, exit.
    server.close();
    server.closeAllConnections();
    setImmediate(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (config.exitWithStdin) {
    process.stdin.on('end', () => stop('stdin closed'));
    process.stdin.on('close', () => stop('stdin closed'));
    process.stdin.resume();
  }

  server.on('error', (err) => {
    console.error(`botapi: ${err.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const { port } = server.address();
    process.stdout.write(`${JSON.stringify({ event: 'listening', host: config.host, port })}\n`);
    console.error(`botapi: listening on http://${config.host}:${port}`);
  });
}

main();
