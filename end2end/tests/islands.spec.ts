// Server-rendered pages with islands: the islands router changes pages and
// posts forms without loading a new document, the islands do their part,
// and the browser build arrives compressed and stays cached.
import type { Page } from '@playwright/test';
import { test, expect, hydrated, markDocument, isSameDocument, uniqueName } from './fixtures';
import { CookiesPage } from './fixtures/cookies-page';
import { LoginPage, ProfilePage, SESSION_COOKIE, newAccount, registerByApi } from './fixtures/auth-pages';
import { recordTransfers, isPkg } from './fixtures/transfer';

/**
 * Clicks, and waits until the islands router has patched the next page in:
 * it drops an attribute the new page does not have, such as this mark.
 */
async function patched(page: Page, click: () => Promise<void>) {
  await page.locator('main').evaluate((main) => main.setAttribute('data-previous-page', ''));
  await click();
  await expect(page.locator('main[data-previous-page]')).toHaveCount(0);
}

test('one document through links, a failed login, a login, a form and a logout', async ({ page, context }) => {
  const account = await registerByApi(page);
  await context.clearCookies();
  await page.goto('/');
  await hydrated(page);
  await page.evaluate(() => ((window as any).__kept = 'still here'));
  const nav = page.getByRole('navigation', { name: 'Main' });

  await nav.getByRole('link', { name: 'Cookies', exact: true }).click();
  await expect(page.getByTestId('greeting')).toHaveText('Hello, Guest!');

  await nav.getByRole('link', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/login$/);
  const login = new LoginPage(page);
  await login.login({ username: account.username, password: 'not-the-password' });
  await expect(login.error()).toHaveText('Invalid username or password.');
  // The error came back without going into the address bar.
  await expect(page).toHaveURL(/\/login$/);

  await login.login(account);
  await expect(page).toHaveURL(/\/profile$/);
  await new ProfilePage(page).expectSignedInAs(account);

  await nav.getByRole('link', { name: 'Session' }).click();
  await page.getByLabel('Note').fill('kept in the session');
  await page.getByRole('button', { name: 'Save note' }).click();
  await expect(page.getByTestId('note')).toHaveText('Note: kept in the session');

  await nav.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Log in' })).toBeVisible();

  await page.goBack();
  await expect(page).toHaveURL(/\/session$/);
  await expect(page.getByTestId('note')).toHaveText('Note: kept in the session');
  expect(await page.evaluate(() => (window as any).__kept)).toBe('still here');
});

test('a form post, then links: each page shows its own data, nothing left over', async ({ page }) => {
  const name = uniqueName('Ada');
  await page.goto('/session');
  await hydrated(page);
  await markDocument(page);
  await page.getByLabel('Note').fill('first note');
  await page.getByRole('button', { name: 'Save note' }).click();
  await expect(page.getByTestId('note')).toHaveText('Note: first note');

  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Cookies', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Cookies');
  await expect(page.getByTestId('note')).toHaveCount(0);
  const cookies = new CookiesPage(page);
  await cookies.expectGreeting('Hello, Guest!');
  await cookies.setName(name);
  await cookies.expectGreeting(`Hello, ${name}!`);

  await nav.getByRole('link', { name: 'Session' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Session data');
  await expect(page.getByTestId('greeting')).toHaveCount(0);
  await expect(page.getByTestId('note')).toHaveText('Note: first note');
  await expect(page.getByLabel('Note')).toHaveCount(1);

  await nav.getByRole('link', { name: 'Cookies', exact: true }).click();
  await cookies.expectGreeting(`Hello, ${name}!`);
  await cookies.deleteButton().click();
  await cookies.expectGreeting('Hello, Guest!');
  expect(await isSameDocument(page)).toBe(true);
});

test('the users list shows a new registration without a reload', async ({ browser, page }) => {
  await registerByApi(page);
  await page.goto('/users');
  await hydrated(page);
  await markDocument(page);

  // Someone registers elsewhere; this tab follows links to find them.
  const other = await browser.newContext({ baseURL: page.url() });
  const newcomer = await registerByApi(await other.newPage());
  await other.close();

  const nav = page.getByRole('navigation', { name: 'Main' });
  await patched(page, () => nav.getByRole('link', { name: 'Users' }).click());
  await expect(page.getByText('Page 1', { exact: true })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('cell', { name: newcomer.username, exact: true }) });
  for (let n = 2; (await row.count()) === 0; n++) {
    await patched(page, () => page.getByRole('link', { name: 'Next' }).click());
    await expect(page.getByText(`Page ${n}`, { exact: true })).toBeVisible();
  }
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(newcomer.email);
  // Every row is whole: an ID, a username, an email, and no row twice.
  const ids = await page.locator('tbody tr td:first-child').allTextContents();
  expect(new Set(ids).size).toBe(ids.length);
  for (const cells of await page.locator('tbody tr').all()) {
    await expect(cells.locator('td')).toHaveCount(3);
  }
  expect(await isSameDocument(page)).toBe(true);
});

test('the devices list follows revokes without a reload', async ({ browser, page }) => {
  const account = await registerByApi(page);
  const others = [];
  for (let i = 0; i < 2; i++) {
    const context = await browser.newContext({ baseURL: page.url() || undefined });
    const other = await context.newPage();
    await other.request.post(new URL('/api/login', test.info().project.use.baseURL).href, {
      form: { username: account.username, password: account.password },
    });
    others.push(context);
  }
  await page.goto('/profile/sessions');
  await hydrated(page);
  await markDocument(page);
  await expect(page.getByTestId('other-device')).toHaveCount(2);

  await page.getByTestId('other-device').first().getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('other-device')).toHaveCount(1);
  await page.getByRole('button', { name: 'Revoke all others' }).click();
  await expect(page.getByTestId('other-device')).toHaveCount(0);
  await expect(page.getByTestId('this-device')).toHaveCount(1);
  expect(await isSameDocument(page)).toBe(true);
  for (const context of others) await context.close();
});

test('password inputs: show what was typed, and warn of Caps Lock', async ({ page }) => {
  await page.goto('/login');
  await hydrated(page);
  const password = page.getByLabel('Password', { exact: true });
  const show = page.getByRole('button', { name: 'Show password' });
  await password.fill('secret words');
  await expect(password).toHaveAttribute('type', 'password');
  await show.click();
  await expect(show).toHaveAttribute('aria-pressed', 'true');
  await expect(password).toHaveAttribute('type', 'text');
  await expect(password).toHaveValue('secret words');
  await show.click();
  await expect(password).toHaveAttribute('type', 'password');

  // Playwright's keyboard does not lock Caps Lock; the key events carry it.
  const key = (capsLock: boolean) =>
    password.evaluate((input, capsLock) => {
      input.dispatchEvent(new KeyboardEvent('keyup', { key: 'a', modifierCapsLock: capsLock } as KeyboardEventInit));
    }, capsLock);
  const hint = page.locator('#login-password-caps-lock');
  await expect(password).toHaveAttribute('aria-describedby', 'login-password-caps-lock');
  await key(true);
  await expect(hint).toHaveText('Caps Lock is on');
  await expect(hint).toHaveRole('status');
  await key(false);
  await expect(hint).toHaveText('');
});

test('the cookie demo shows what JavaScript can read: neither HttpOnly cookie', async ({ page, context }) => {
  await registerByApi(page);
  const cookies = new CookiesPage(page);
  await cookies.goto();
  await hydrated(page);
  const seen = page.getByTestId('document-cookie');
  await expect(seen).toHaveText('(empty)');
  const name = uniqueName('Grace');
  await cookies.setName(name);
  await cookies.expectGreeting(`Hello, ${name}!`);
  // The browser holds both cookies and sent them: the server greeted by name.
  const names = (await context.cookies()).map((c) => c.name);
  expect(names).toEqual(expect.arrayContaining(['username', SESSION_COOKIE]));
  // A cookie a script sets shows at once, the HttpOnly ones never.
  await page.evaluate(() => (document.cookie = 'theme=dark; path=/'));
  await cookies.deleteButton().click();
  await cookies.expectGreeting('Hello, Guest!');
  await expect(seen).toHaveText('theme=dark');
  await expect(seen).not.toContainText('username');
  await expect(seen).not.toContainText(SESSION_COOKIE);
});

test('the profile counts down the session', async ({ page }) => {
  await registerByApi(page);
  await page.goto('/profile');
  await hydrated(page);
  const left = page.getByTestId('session-left');
  // An hour without activity (SESSION_IDLE_MINUTES), give or take a minute.
  await expect(left).toHaveText(/^(1:00:\d\d|59:\d\d)$/);
  const first = await left.textContent();
  await expect(left).not.toHaveText(first ?? '', { timeout: 3000 });
});

test('the browser build arrives compressed, and a second visit downloads none of it', async ({ page }) => {
  const first = await recordTransfers(page);
  await page.goto('/');
  await hydrated(page);
  const firstVisit = (await first.done()).filter(isPkg);
  // The script, the WASM, the stylesheet, the islands router and the
  // passkey buttons' script, each under a hashed name.
  const paths = firstVisit.map((t) => new URL(t.url).pathname);
  expect(paths).toHaveLength(5);
  expect(paths).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^\/pkg\/sesame\.[\w-]{22}\.css$/),
      expect.stringMatching(/^\/pkg\/sesame\.[\w-]{22}\.js$/),
      expect.stringMatching(/^\/pkg\/sesame\.[\w-]{22}\.wasm$/),
      expect.stringMatching(/^\/pkg\/islands-router\.[0-9a-f]{16}\.js$/),
      expect.stringMatching(/^\/pkg\/passkeys\.[0-9a-f]{16}\.js$/),
    ]),
  );
  for (const t of firstVisit) {
    expect(t.status, t.url).toBe(200);
    expect(t.encoding, t.url).toBe('br');
    expect(t.cacheControl, t.url).toBe('public, max-age=31536000, immutable');
    expect(t.bytes, t.url).toBeGreaterThan(0);
  }

  // A new document (not the islands router): everything from the cache.
  const second = await recordTransfers(page);
  await page.goto('/cookies');
  await hydrated(page);
  const secondVisit = (await second.done()).filter(isPkg);
  expect(secondVisit.length).toBeGreaterThan(0);
  for (const t of secondVisit) {
    expect(t.fromCache, t.url).toBe(true);
  }
  expect(secondVisit.reduce((sum, t) => sum + (t.fromCache ? 0 : t.bytes), 0)).toBe(0);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the islands say what they need, and the forms still work', async ({ page }) => {
    await page.goto('/cookies');
    await expect(page.getByTestId('document-cookie')).toHaveText('(nothing: JavaScript is off)');
    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Show password' })).toBeHidden();
    const account = newAccount();
    await page.goto('/register');
    await page.getByLabel('Username').fill(account.username);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await new ProfilePage(page).expectSignedInAs(account);
  });
});
