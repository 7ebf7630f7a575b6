import { test, expect, uniqueName } from './fixtures';
import { CookiesPage } from './fixtures/cookies-page';

// Every page works as plain HTML forms and links.
test.use({ javaScriptEnabled: false });

test.describe('cookie demo without JavaScript', () => {
  test('setting and deleting the cookie work as form posts', async ({ page }) => {
    const cookies = new CookiesPage(page);
    const name = uniqueName('nojs ');
    await cookies.goto();
    await cookies.expectGreeting('Hello, Guest!');

    await cookies.setName(name);
    await expect(page).toHaveURL(/\/cookies$/);
    await cookies.expectGreeting(`Hello, ${name}!`);
    expect((await cookies.usernameCookie())?.value).toBe(encodeURIComponent(name));

    await cookies.deleteButton().click();
    await expect(page).toHaveURL(/\/cookies$/);
    await cookies.expectGreeting('Hello, Guest!');
    expect(await cookies.usernameCookie()).toBeUndefined();
  });

  test('a bad name comes back to the form with its message', async ({ page }) => {
    const cookies = new CookiesPage(page);
    await cookies.goto();
    await cookies.setName('y'.repeat(65));
    await expect(page).toHaveURL(/\/cookies/);
    await expect(cookies.nameError()).toHaveText('Name must be 1–64 characters.');
    await cookies.expectGreeting('Hello, Guest!');
    expect(await cookies.usernameCookie()).toBeUndefined();
  });

  test('a name with markup is escaped in the server-rendered page', async ({ page }) => {
    const cookies = new CookiesPage(page);
    await cookies.goto();
    await cookies.setName('<img id="x" src=x>');
    await cookies.expectGreeting('Hello, <img id="x" src=x>!');
    await expect(page.locator('#x')).toHaveCount(0);
  });

  test('the Flask-style cookie routes work', async ({ page }) => {
    await page.goto('/set_cookie/carol');
    await expect(page.getByText('Cookie set for carol')).toBeVisible();
    await page.goto('/cookies');
    await expect(page.getByTestId('greeting')).toHaveText('Hello, carol!');
    await page.goto('/delete_cookie');
    await expect(page.getByText('Cookie has been deleted')).toBeVisible();
  });

  test('the home page says who is signed in', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText('You are not logged in!')).toBeVisible();
  });
});
