// SPDX-License-Identifier: GPL-3.0-or-later
// review.test.mjs - the review page as a person sees it, in Debian's
// chromium driven by playwright-core: at a desktop width and on a phone
// (320 px), the file list, a changed price cell "100 → 110", the rules,
// the form's labels, no error or CSP violation in the console, and the
// form posting without JavaScript; the error pages and hostile content.
// Screenshots go to $ARTIFACTS.  $PAGE_URL is the server's base URL
// (tests/tools/pageserve today, printgated once it serves /r/{token}).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.PAGE_URL;
const artifacts = process.env.ARTIFACTS;
let browser;

before(async () => {
	assert.ok(base, 'PAGE_URL is not set');
	mkdirSync(artifacts, { recursive: true });
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		// this machine's network is closed: no background traffic
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	await browser?.close();
});

// A page at width w whose console errors, page errors and dialogs are
// collected: a CSP violation shows in the console as an error.
async function open(path, w, opts = {}) {
	const ctx = await browser.newContext({
		viewport: { width: w, height: w < 600 ? 720 : 900 },
		...opts,
	});
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('dialog', async (d) => {
		problems.push(`dialog: ${d.message()}`);
		await d.dismiss();
	});
	page.on('requestfailed', (r) =>
		problems.push(`request failed: ${r.url()}`));
	page.on('response', (r) => {
		if (r.status() >= 400 && r.request().resourceType() !==
		    'document')
			problems.push(`${r.status()} for ${r.url()}`);
	});
	const resp = await page.goto(base + path);
	return { ctx, page, resp, problems };
}

// What a reviewer must see on the review page, at any width.
async function seesTheReview(page) {
	await assert.doesNotReject(page.getByRole('heading', { level: 1,
	    name: 'print/2027-q1-brochure' }).waitFor());
	const files = await page.locator('ul.toc li a').allInnerTexts();
	assert.deepEqual(files, ['prices/emea.csv', 'brochures/emea/q1.txt',
	    'datasheets/pro.pdf', 'logos/northwind.svg']);
	const cell = page.locator('td.changed', { hasText: '100 → 110' });
	assert.equal(await cell.count(), 1);
	assert.ok(await cell.isVisible());
	const rules = await page.locator('.rule h3').allInnerTexts();
	assert.deepEqual(rules, ['emea 1 of 2', 'big-deal 0 of 1']);
	for (const label of ['Approve', 'Approve with changes',
	    'Request changes', 'Comment', 'emea', 'big-deal']) {
		const input = page.getByLabel(label, { exact: true });
		assert.equal(await input.count(), 1, `one input for "${label}"`);
	}
	const send = page.getByRole('button', { name: 'Send my decision' });
	assert.ok(await send.isVisible());
}

test('review page at 1280 px: files, the changed cell, rules, labels',
    async () => {
	const { ctx, page, resp, problems } = await open('/r/review', 1280);
	assert.equal(resp.status(), 200);
	const h = resp.headers();
	assert.match(h['content-security-policy'], /^default-src 'self'/);
	assert.equal(h['referrer-policy'], 'no-referrer');
	assert.equal(h['cache-control'], 'no-store');
	assert.equal(h['x-content-type-options'], 'nosniff');
	await seesTheReview(page);
	// the stylesheet applied: cards have a border, the bar is dark
	const bg = await page.locator('header.bar').evaluate((e) =>
	    getComputedStyle(e).backgroundColor);
	assert.equal(bg, 'rgb(29, 35, 48)');
	await page.screenshot({ path: `${artifacts}/review-1280.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('review page at 320 px: readable, nothing wider than the phone',
    async () => {
	const { ctx, page, problems } = await open('/r/review', 320,
	    { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	await seesTheReview(page);
	const wide = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	assert.ok(wide <= 320, `the page is ${wide} px wide`);
	// the price table scrolls in its own box, the text stays readable
	const size = await page.locator('.lines .code').first().evaluate((e) =>
	    parseFloat(getComputedStyle(e).fontSize));
	assert.ok(size >= 12, `code text of ${size} px`);
	const button = await page.getByRole('button',
	    { name: 'Send my decision' }).boundingBox();
	assert.ok(button.height >= 44, `a button ${button.height} px high`);
	await page.screenshot({ path: `${artifacts}/review-320.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('the form works without JavaScript: request changes with a comment',
    async () => {
	const { ctx, page, problems } = await open('/r/review', 1280,
	    { javaScriptEnabled: false });
	await page.getByLabel('Request changes', { exact: true }).check();
	await page.getByLabel('big-deal', { exact: true }).uncheck();
	await page.getByLabel('Comment', { exact: true }).fill(
	    'The Pro price must stay at 100 until April.');
	await page.getByRole('button', { name: 'Send my decision' }).click();
	await page.getByRole('heading', { name: 'Received' }).waitFor();
	const fields = await page.locator('ul.fields li').allInnerTexts();
	assert.deepEqual(fields, [
		'csrf = csrf-token-for-the-test',
		'decision = changes-required',
		'rule = emea',
		'comment = The Pro price must stay at 100 until April.',
	]);
	// no-referrer: Chromium sends "Origin: null" on its own form posts
	const origin = await page.locator('p code').first().innerText();
	assert.ok(origin === 'null' || origin === base, `Origin ${origin}`);
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('read-only page: where to decide, no form', async () => {
	const { ctx, page, problems } = await open('/r/readonly', 1280);
	await page.getByRole('heading', { name: 'Deciding' }).waitFor();
	assert.equal(await page.locator('form').count(), 0);
	assert.match(await page.locator('#decide').innerText(),
	    /use your personal link/);
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('hostile tag message, file names and comments stay text',
    async () => {
	const { ctx, page, problems } = await open('/r/hostile', 1280);
	await page.getByRole('heading', { level: 1 }).waitFor();
	assert.equal(await page.locator('h1').innerText(),
	    'print/<script>alert(1)</script>');
	assert.equal(await page.locator('img, svg, iframe, script').count(),
	    0);
	assert.match(await page.locator('blockquote').innerText(),
	    /<\/blockquote><script>alert\(7\)<\/script>/);
	await page.screenshot({ path: `${artifacts}/hostile-1280.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});

for (const [status, title] of [[404, 'This review link does not work'],
    [410, 'This review link has expired'],
    [403, 'You cannot decide on this review']]) {
	test(`error page ${status}: says what to do`, async () => {
		const { ctx, page, resp, problems } = await open(
		    `/r/error-${status}`, 320, { isMobile: true });
		assert.equal(resp.status(), status);
		assert.equal(await page.locator('h1').innerText(), title);
		assert.ok((await page.locator('.error p').count()) >= 2);
		if (status === 410)
			await page.screenshot({ path:
			    `${artifacts}/error-410-320.png`, fullPage: true });
		// the console reports the status itself; nothing else
		assert.deepEqual(problems.filter((p) =>
		    !p.includes('status of ' + status)), []);
		await ctx.close();
	});
}

test('history page: earlier versions linked', async () => {
	const { ctx, page, problems } = await open('/r/history', 1280);
	const links = page.locator('ol.history a');
	assert.deepEqual(await links.allInnerTexts(),
	    ['Version a1b2c3d', 'Version 0f1e2d3']);
	assert.equal(await links.first().getAttribute('href'), '/r/tok-new');
	assert.deepEqual(problems, []);
	await ctx.close();
});
