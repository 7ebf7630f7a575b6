// What each page costs a browser on the wire: Chromium, through the DevTools
// protocol (encodedDataLength: headers and compressed body as received).
// A first visit with an empty cache, then a second visit (a new document)
// with the cache the first left. Run by bench/transfer.
const path = require('node:path');
const { chromium } = require(path.resolve(__dirname, '../end2end/node_modules/playwright'));

const base = process.argv[2];
const pages = ['/', '/login', '/register', '/cookies', '/session', '/how-it-works', '/profile', '/profile/sessions', '/profile/password', '/users'];
const signedIn = (p) => p.startsWith('/profile') || p === '/users';
const KiB = (n) => (n / 1024).toFixed(1);

function kind(url) {
  const p = new URL(url).pathname;
  if (p.endsWith('.wasm')) return 'wasm';
  if (p.endsWith('.js')) return 'js';
  if (p.endsWith('.css')) return 'css';
  return 'other';
}

async function visit(context, url) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const bytes = { wasm: 0, js: 0, css: 0, html: 0, other: 0 };
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => {
    const u = urls.get(e.requestId);
    if (!u || !u.startsWith('http')) return;
    const k = new URL(u).pathname === new URL(url).pathname ? 'html' : kind(u);
    bytes[k] += e.encodedDataLength;
  });
  await page.goto(url);
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  await page.close();
  return bytes;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
  const user = { username: `bench${Date.now().toString(36)}`, password: 'bench-password-123' };
  const setup = await browser.newContext({ baseURL: base });
  await setup.request.post('/api/register', { form: { ...user, email: `${user.username}@example.com` } });
  await setup.close();

  console.log('| page | first visit: JS + WASM + CSS files (KiB) | of which WASM | HTML, with its inline scripts (KiB) | all of the first visit (KiB) | second visit: JS + WASM + CSS (bytes) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  let worst = 0;
  let home = 0;
  let homeAll = 0;
  for (const p of pages) {
    const context = await browser.newContext({ baseURL: base });
    if (signedIn(p)) {
      await context.request.post('/api/login', { form: user });
    }
    const first = await visit(context, base + p);
    // Another page, as a new document: what the cache does not hold.
    const second = await visit(context, base + (p === '/' ? '/cookies' : '/'));
    await context.close();
    const code = first.js + first.wasm + first.css;
    const all = code + first.html + first.other;
    worst = Math.max(worst, code);
    if (p === '/') {
      home = code;
      homeAll = all;
    }
    console.log(`| \`${p}\` | ${KiB(code)} | ${KiB(first.wasm)} | ${KiB(first.html)} | ${KiB(all)} | ${second.js + second.wasm + second.css} |`);
  }
  console.log();
  console.log(`first visit to /: ${KiB(home)} KiB of JS + WASM + CSS on the wire (target <= 100), ${KiB(homeAll)} KiB with the page itself; any page at most ${KiB(worst)} KiB (target <= 150)`);
  await browser.close();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
