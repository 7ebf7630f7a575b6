import { test, expect, hydrated, markDocument, isSameDocument, uniqueName } from './fixtures';
import { CookiesPage } from './fixtures/cookies-page';

test.describe('cookie demo with JavaScript', () => {
  test('a visitor without the cookie is greeted as Guest', async ({ page }) => {
    const cookies = new CookiesPage(page);
    await cookies.goto();
    await hydrated(page);
    await cookies.expectGreeting('Hello, Guest!');
  });

  test('setting the cookie greets by name without a reload', async ({ page }) => {
    const cookies = new CookiesPage(page);
    const name = uniqueName('Zoë ');
    await cookies.goto();
    await hydrated(page);
    await markDocument(page);

    await cookies.setName(name);

    await cookies.expectGreeting(`Hello, ${name}!`);
    expect(await isSameDocument(page)).toBe(true);
    const cookie = await cookies.usernameCookie();
    expect(cookie?.value).toBe(encodeURIComponent(name));
    expect(cookie?.path).toBe('/');
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.httpOnly).toBe(true);
  });

  test('the first paint already has the name (server-rendered)', async ({ page }) => {
    const cookies = new CookiesPage(page);
    const name = uniqueName('ssr');
    await cookies.goto();
    await hydrated(page);
    await cookies.setName(name);
    await cookies.expectGreeting(`Hello, ${name}!`);

    // The HTML the server sends, before any script runs.
    const html = await (await page.request.get('/cookies')).text();
    expect(html).toContain(`Hello, ${name}!`);
    expect(html).not.toContain('Hello, Guest!');

    await page.reload();
    await cookies.expectGreeting(`Hello, ${name}!`);
    await hydrated(page);
    await cookies.expectGreeting(`Hello, ${name}!`);
  });

  test('a name with markup is shown as text, never as HTML', async ({ page }) => {
    const cookies = new CookiesPage(page);
    const name = '<b id="injected">bold</b>';
    await cookies.goto();
    await hydrated(page);
    await cookies.setName(name);
    await cookies.expectGreeting(`Hello, ${name}!`);
    await expect(page.locator('#injected')).toHaveCount(0);

    await page.reload();
    await cookies.expectGreeting(`Hello, ${name}!`);
    await expect(page.locator('#injected')).toHaveCount(0);
  });

  test('deleting the cookie greets as Guest again without a reload', async ({ page }) => {
    const cookies = new CookiesPage(page);
    await cookies.goto();
    await hydrated(page);
    await cookies.setName('deleteme');
    await cookies.expectGreeting('Hello, deleteme!');
    await markDocument(page);

    await cookies.deleteButton().click();

    await cookies.expectGreeting('Hello, Guest!');
    expect(await isSameDocument(page)).toBe(true);
    expect(await cookies.usernameCookie()).toBeUndefined();
  });

  test('an empty or too long name gets a message next to the field', async ({ page }) => {
    const cookies = new CookiesPage(page);
    await cookies.goto();
    await hydrated(page);

    await cookies.setName('');
    await expect(cookies.nameError()).toHaveText('Name must be 1–64 characters.');

    await cookies.setName('x'.repeat(65));
    await expect(cookies.nameError()).toHaveText('Name must be 1–64 characters.');
    await cookies.expectGreeting('Hello, Guest!');
    expect(await cookies.usernameCookie()).toBeUndefined();

    await cookies.setName('x'.repeat(64));
    await cookies.expectGreeting(`Hello, ${'x'.repeat(64)}!`);
    await expect(cookies.nameError()).toHaveCount(0);
  });

  test('/set_cookie/<username> sets the cookie the cookie page then shows', async ({ page }) => {
    await page.goto('/set_cookie/alice');
    await expect(page.getByText('Cookie set for alice')).toBeVisible();
    const cookies = new CookiesPage(page);
    expect((await cookies.usernameCookie())?.value).toBe('alice');

    await cookies.goto();
    await cookies.expectGreeting('Hello, alice!');
  });

  test('/set_cookie/<username> with an encoded name', async ({ page }) => {
    await page.goto('/set_cookie/J%C3%B6rg%20%3Ci%3E');
    await expect(page.getByText('Cookie set for Jörg <i>')).toBeVisible();
    await expect(page.locator('main i')).toHaveCount(0);
  });

  test('/delete_cookie removes the cookie', async ({ page }) => {
    await page.goto('/set_cookie/bob');
    await expect(page.getByText('Cookie set for bob')).toBeVisible();

    await page.goto('/delete_cookie');
    await expect(page.getByText('Cookie has been deleted')).toBeVisible();
    const cookies = new CookiesPage(page);
    expect(await cookies.usernameCookie()).toBeUndefined();
    await cookies.goto();
    await cookies.expectGreeting('Hello, Guest!');
  });
});
