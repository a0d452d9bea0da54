// SPDX-License-Identifier: GPL-3.0-or-later
// daemon.test.mjs - the review page served by the real printgated, in
// Debian's chromium: a personal link opens the page (the files, the
// changed cell "100 → 110", the rules) at 1280 and 320 px; Carol
// requests changes with a comment through the form, then approves, Bob
// approves through his link, and the ledger has each line (via
// web:link) and the print tag is released; then Carol's link shows the
// review closed, released on whose approvals, with no form.  The "Open
// review" link of each delivered Slack, Mattermost and Teams message
// opens the page, read-only, at 360 and 1280 px.  Every page, stylesheet
// and script is under public_url's path (/printgate): an answer of 400
// or more to any request the browser makes is a failure.  Set up by
// daemon.sh: $PAGE_URL, $LINK_CHANNEL, $LINK_CAROL, $LINK_BOB,
// $LINK_SLACK, $LINK_MATTERMOST, $LINK_TEAMS, $REPO, $COMMIT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const env = process.env;
const base = env.PAGE_URL;
const artifacts = env.ARTIFACTS;
let browser;

before(async () => {
	for (const k of ['PAGE_URL', 'LINK_CHANNEL', 'LINK_CAROL',
	    'LINK_BOB', 'REPO', 'COMMIT'])
		assert.ok(env[k], `${k} is not set`);
	mkdirSync(artifacts, { recursive: true });
	browser = await chromium.launch({
		executablePath: env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	await browser?.close();
});

// The ledger lines of the candidate, from git itself, as objects.
function ledger() {
	const out = execFileSync('git', ['--git-dir', env.REPO, 'notes',
	    '--ref=printgate', 'show', env.COMMIT], { encoding: 'utf8' });
	return out.trim().split('\n').map((l) => JSON.parse(l));
}

function released() {
	try {
		execFileSync('git', ['--git-dir', env.REPO, 'rev-parse', '-q',
		    '--verify', 'refs/tags/print/p1'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

// A page at width w, collecting console errors and failed requests.
async function open(path, w, opts = {}) {
	const ctx = await browser.newContext({
		viewport: { width: w, height: w < 600 ? 720 : 900 }, ...opts,
	});
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('requestfailed', (r) =>
		problems.push(`request failed: ${r.url()}`));
	page.on('response', (r) => {
		if (r.status() >= 400)
			problems.push(`${r.status()}: ${r.url()}`);
	});
	const resp = await page.goto(base + path);
	return { ctx, page, resp, problems };
}

async function seesTheReview(page) {
	await page.getByRole('heading', { level: 1, name: 'print/p1' })
	    .waitFor();
	const files = await page.locator('ul.toc li a').allInnerTexts();
	assert.deepEqual(files.sort(), ['brochures/emea/intro.txt',
	    'brochures/emea/prices.csv']);
	const cell = page.locator('td.changed', { hasText: '100 → 110' });
	assert.equal(await cell.count(), 1);
	assert.ok(await cell.isVisible());
	assert.deepEqual(await page.locator('.rule h3').allInnerTexts(),
	    ['emea 0 of 2']);
}

test('printgated: a personal link at 1280 px shows the review',
    async () => {
	const { ctx, page, resp, problems } = await open(env.LINK_CAROL,
	    1280);
	assert.equal(resp.status(), 200);
	const h = resp.headers();
	assert.match(h['content-security-policy'], /^default-src 'self'/);
	assert.equal(h['referrer-policy'], 'no-referrer');
	assert.equal(h['cache-control'], 'no-store');
	await seesTheReview(page);
	assert.ok(await page.getByRole('button', { name: 'Send my decision' })
	    .isVisible());
	// the stylesheet and the form are under public_url's path
	const sheets = await page.evaluate(() => [...document.styleSheets]
	    .map((s) => [new URL(s.href).pathname, s.cssRules.length]));
	assert.equal(sheets.length, 1);
	assert.equal(sheets[0][0], '/printgate/static/printgate.css');
	assert.ok(sheets[0][1] > 0, 'the stylesheet has rules');
	assert.match(await page.locator('form').getAttribute('action'),
	    /^\/printgate\/r\/[A-Za-z0-9_-]+\/decide$/);
	await page.screenshot({ path: `${artifacts}/daemon-review-1280.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('printgated: the page at 320 px fits the phone', async () => {
	const { ctx, page, problems } = await open(env.LINK_CAROL, 320,
	    { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	await seesTheReview(page);
	const wide = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(wide <= 320, `the page is ${wide} px wide`);
	await page.screenshot({ path: `${artifacts}/daemon-review-320.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('printgated: a channel link is read-only', async () => {
	const { ctx, page, problems } = await open(env.LINK_CHANNEL, 1280);
	await seesTheReview(page);
	assert.equal(await page.locator('form').count(), 0);
	assert.match(await page.locator('#decide').innerText(),
	    /personal link/);
	assert.deepEqual(problems, []);
	await ctx.close();
});

// The "Open review" links of the messages printgated delivered (read
// from the receiver's records by daemon.sh), opened as a person who
// clicks one in chat: on a 360 px phone and at 1280 px.
const delivered = [['Slack', 'slack', env.LINK_SLACK],
    ['Mattermost', 'mattermost', env.LINK_MATTERMOST],
    ['Teams', 'teams', env.LINK_TEAMS]];

for (const [title, name, link] of delivered) {
	test(`printgated: the Open review link of the ${title} message`,
	    async () => {
		assert.match(link ?? '', /^\/printgate\/r\/[A-Za-z0-9_-]+$/,
		    `no review link in the ${title} message`);
		for (const w of [360, 1280]) {
			const { ctx, page, resp, problems } = await open(link, w,
			    w < 600 ? { isMobile: true, hasTouch: true,
			    deviceScaleFactor: 2 } : {});
			assert.equal(resp.status(), 200);
			await seesTheReview(page);
			assert.equal(await page.locator('form').count(), 0,
			    'a channel\'s link shows no form');
			assert.match(await page.locator('#decide').innerText(),
			    /This page is for reading\. To decide/);
			assert.equal(await page.getByRole('button',
			    { name: 'Send my decision' }).count(), 0);
			const wide = await page.evaluate(() =>
			    document.documentElement.scrollWidth);
			assert.ok(wide <= w, `the page is ${wide} px wide at ${w}`);
			await page.screenshot({ path:
			    `${artifacts}/daemon-${name}-link-${w}.png`,
			    fullPage: true });
			assert.deepEqual(problems, []);
			await ctx.close();
		}
	});
}

// Sends a decision through the page's form, as a person does.
async function decide(path, choice, comment) {
	const { ctx, page, problems } = await open(path, 1280);
	await page.getByLabel(choice, { exact: true }).check();
	if (comment)
		await page.getByLabel('Comment', { exact: true }).fill(comment);
	await Promise.all([page.waitForNavigation(),
	    page.getByRole('button', { name: 'Send my decision' }).click()]);
	const flash = await page.locator('.flash').innerText();
	const body = await page.locator('main').innerText();
	await ctx.close();
	return { flash, body, problems };
}

test('printgated: request changes with a comment, approve, release',
    async () => {
	const comment = 'The Pro price must stay at 100 until April.';
	let r = await decide(env.LINK_CAROL, 'Request changes', comment);
	assert.match(r.flash, /request for changes was recorded/);
	assert.ok(r.body.includes(comment), 'the comment is on the page');
	assert.deepEqual(r.problems, []);
	let lines = ledger().filter((l) => l.by === 'carol');
	assert.equal(lines.length, 1);
	assert.equal(lines[0].type, 'changes-required');
	assert.equal(lines[0].via, 'web:link');
	assert.equal(lines[0].comment, comment);
	assert.equal(released(), false);

	r = await decide(env.LINK_CAROL, 'Approve');
	assert.match(r.flash, /Your approval was recorded/);
	r = await decide(env.LINK_BOB, 'Approve');
	assert.match(r.flash, /Your approval was recorded/);
	lines = ledger().filter((l) => l.type === 'approve');
	assert.deepEqual(lines.map((l) => [l.by, l.via]),
	    [['carol', 'web:link'], ['bob', 'web:link']]);
	for (let i = 0; i < 150 && !released(); i++)
		await sleep(100);
	assert.ok(released(), 'print/p1 is released');
	assert.ok(ledger().some((l) => l.type === 'released'));
});

test('printgated: the released review says why it closed, no form',
    async () => {
	const { ctx, page, problems } = await open(env.LINK_CAROL, 1280);
	await page.getByRole('heading', { level: 1, name: 'print/p1' })
	    .waitFor();
	const why = await page.locator('.head .closed').innerText();
	// the approvers in the order of the group, then when
	assert.match(why, new RegExp('^This review is closed: print/p1 was ' +
	    'released on the approvals of Bob Brandt and Carol Diaz on ' +
	    '\\d+ \\w+ \\d{4}, \\d\\d:\\d\\d UTC\\.$'));
	assert.equal(await page.locator('form').count(), 0);
	assert.match(await page.locator('#decide').innerText(),
	    /This review is closed/);
	await page.screenshot({ path: `${artifacts}/daemon-closed-1280.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});
