// SPDX-License-Identifier: GPL-3.0-or-later
// app.js - the baseline of bench/listener.sh: what a team would write with
// Slack Bolt for JS instead of printgated to take button clicks.  Bolt's
// own HTTP receiver verifies X-Slack-Signature (v0, HMAC-SHA256 over
// "v0:{timestamp}:{raw body}", timestamp within 5 minutes) and answers
// 401 when it does not match; every action is acknowledged (200) and
// nothing is stored.
//
//   BOLT_PORT            the port to listen on, on 127.0.0.1 (0: any free
//                        one; the chosen port is printed on stdout as
//                        "listening PORT")
//   SLACK_SIGNING_SECRET the signing secret, the same as printgated's
//
// It must never talk to Slack: authorize returns a fixed, fake bot token
// (no auth.test), the listener only acknowledges, and any outbound
// connection attempt ends the process with an error, so that a benchmark
// run in which Bolt tried one fails instead of measuring it.
'use strict';

const net = require('node:net');
const { App, LogLevel } = require('@slack/bolt');

// The guard: a local benchmark has no business with the network.
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guarded(...args) {
	console.error('bolt: outbound connection attempted; stopping');
	process.exit(70);
	return connect.apply(this, args);	// not reached
};

const port = Number(process.env.BOLT_PORT ?? '0');
const secret = process.env.SLACK_SIGNING_SECRET;
if (!secret || !Number.isInteger(port) || port < 0 || port > 65535) {
	console.error('usage: BOLT_PORT=PORT SLACK_SIGNING_SECRET=S node app.js');
	process.exit(64);
}

const app = new App({
	signingSecret: secret,
	endpoints: ['/slack/actions'],
	// A fixed installation: Bolt asks nothing of Slack to authorize.
	authorize: async () => ({
		botToken: 'xoxb-0000000000-0000000000000-benchbenchbenchbenchbench',
		botId: 'B0BENCH',
		botUserId: 'U0BENCHBOT',
	}),
	// Bolt warns once per refused request by default; printgated logs
	// nothing for a 401, so neither does the baseline (a conservative
	// choice: logging would only make Bolt slower).
	logLevel: LogLevel.ERROR,
});

app.action(/.*/, async ({ ack }) => {
	await ack();
});

// A benchmark stops it with SIGTERM; exit at once and cleanly.
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

(async () => {
	const server = await app.start({ port, host: '127.0.0.1' });
	console.log(`listening ${server.address().port}`);
})().catch((err) => {
	console.error(`bolt: cannot start: ${err.message}`);
	process.exit(1);
});
