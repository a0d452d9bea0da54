// SPDX-License-Identifier: GPL-3.0-or-later
// previews.browser.mjs - the previews on the review page in Debian's
// chromium (playwright-core), run by tests/integration/t-previews.sh
// against the real printgated: the page's HTML is what printgated's page
// glue makes of the file (tests/tools/preview-url -p), given at the
// daemon's own origin under its CSP; its pictures and its script come
// from printgated itself.  Page 2 is marked changed and page 1 not, the
// comparison pictures load (natural width above 0), the swipe view moves,
// the arrow keys go between pages, the text change is shown, and nothing
// is refused by the CSP.  Screenshots go to $ARTIFACTS.
//
// $DAEMON_URL printgated's base URL; $PREVIEW_TOOL tests/tools/preview-url,
// run with the JSON arrays $PAGE_ARGS (the pushed PDF, ready) or
// $COMING_ARGS (a pair never asked for) each time the page is read;
// $CSS_FILE the stylesheet; $PAGE_PATH where the page is put (/r/TOKEN).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const base = process.env.DAEMON_URL;
const artifacts = process.env.ARTIFACTS;
let browser;

before(async () => {
	mkdirSync(artifacts, { recursive: true });
	browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
		    '--no-first-run', '--disable-background-networking',
		    '--disable-component-update', '--disable-sync'],
	});
});

after(async () => {
	await browser?.close();
});

async function open(args, w) {
	const ctx = await browser.newContext({
		viewport: { width: w, height: 900 } });
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			problems.push(`console ${m.type()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	const csp = "default-src 'self'; frame-ancestors 'none'; " +
	    "form-action 'self'; base-uri 'none'";
	await page.route(base + process.env.PAGE_PATH, (r) => r.fulfill({
		status: 200, contentType: 'text/html; charset=utf-8',
		headers: { 'Content-Security-Policy': csp },
		body: execFileSync(process.env.PREVIEW_TOOL, JSON.parse(args)) }));
	await page.route(base + '/static/printgate.css', (r) => r.fulfill({
		status: 200, contentType: 'text/css; charset=utf-8',
		body: readFileSync(process.env.CSS_FILE) }));
	await page.goto(base + process.env.PAGE_PATH);
	return { ctx, page, problems };
}

test('previews: page 2 marked changed, page 1 not; pictures load; swipe moves; words', async () => {
	const { ctx, page, problems } = await open(process.env.PAGE_ARGS, 1280);
	const p2 = page.locator('#pv-1-p2');
	assert.ok(await p2.isVisible(), 'page 2 is shown as changed');
	assert.match(await p2.locator('figcaption').innerText(),
	    /Page 2: changed/);
	assert.equal(await page.locator('#pv-1-p1').count(), 0,
	    'page 1 is not shown as changed');
	assert.equal(await page.locator('.pv-thumb.marked').count(), 1);
	assert.match(await page.locator('.pv-thumb.marked').innerText(),
	    /Page 2 \(changed\)/);
	assert.match(await page.locator('.pv-thumb.same').first().innerText(),
	    /Page 1 \(same\)/);
	for (const cls of ['pv-old', 'pv-new', 'pv-diff']) {
		const img = p2.locator(`.${cls} img`);
		await img.scrollIntoViewIfNeeded();
		await page.waitForFunction((el) => el.complete &&
		    el.naturalWidth > 0, await img.elementHandle());
		const w = await img.evaluate((el) => el.naturalWidth);
		assert.ok(w > 0, `${cls} loaded (${w} px wide)`);
	}
	assert.match(await p2.locator('.pv-words').innerText(),
	    /2,499 → 2,999/);
	await page.screenshot({ path: `${artifacts}/previews-side.png`,
	    fullPage: true });

	// swipe: the new page is clipped where the slider is, and moves
	await p2.getByRole('button', { name: 'Swipe' }).click();
	const clip = () => p2.locator('.pv-new').evaluate((el) =>
	    el.style.clipPath);
	assert.equal(await clip(), 'inset(0px 0px 0px 50%)');
	await p2.locator('.pv-range').fill('20');
	assert.equal(await clip(), 'inset(0px 0px 0px 20%)');
	await p2.screenshot({ path: `${artifacts}/previews-swipe.png` });
	// onion skin, then the difference alone
	await p2.getByRole('button', { name: 'Onion skin' }).click();
	assert.equal(await p2.locator('.pv-new').evaluate((el) =>
	    el.style.opacity), '0.2');
	await p2.getByRole('button', { name: 'Difference' }).click();
	assert.ok(await p2.locator('.pv-diff img').isVisible());
	assert.ok(!(await p2.locator('.pv-old img').isVisible()));
	await p2.screenshot({ path: `${artifacts}/previews-diff.png` });
	// the arrow keys go to the changed page
	await page.locator('h1').click().catch(() => {});
	await page.keyboard.press('ArrowRight');
	assert.equal(await page.evaluate(() => document.activeElement.id),
	    'pv-1-p2');
	assert.deepEqual(problems, []);
	await ctx.close();
});

test('previews: a file still coming is filled in once it is ready', async () => {
	const { ctx, page, problems } = await open(process.env.COMING_ARGS,
	    1280);
	await page.locator('.pv-summary').waitFor({ timeout: 30000 });
	assert.match(await page.locator('.pv-summary').innerText(),
	    /page 2 added/);
	const img = page.locator('.pv-added .pv-new img').first();
	await img.scrollIntoViewIfNeeded();
	await page.waitForFunction((el) => el.complete && el.naturalWidth > 0,
	    await img.elementHandle());
	await page.screenshot({ path: `${artifacts}/previews-filled.png`,
	    fullPage: true });
	assert.deepEqual(problems, []);
	await ctx.close();
});
