import { test, expect, uniqueName } from './fixtures';
import { CookiesPage } from './fixtures/cookies-page';
import { newAccount, LoginPage, RegisterPage, ProfilePage, SessionPage, userRow } from './fixtures/auth-pages';

// Every page works as plain HTML forms and links.
test.use({ javaScriptEnabled: false });

test.describe('cookie demo without JavaScript', () => {
  test('setting and deleting the cookie work as form posts', async ({ page }) => {
    const cookies = new CookiesPage(page);
    const name = uniqueName('nojs ');
    await cookies.goto();
    await cookies.expectGreeting('Hello, Guest!');

    await cookies.setName(name);
    await expect(page).toHaveURL(/\/cookies\??$/);
    await cookies.expectGreeting(`Hello, ${name}!`);
    expect((await cookies.usernameCookie())?.value).toBe(encodeURIComponent(name));

    await cookies.deleteButton().click();
    await expect(page).toHaveURL(/\/cookies\??$/);
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

test.describe('accounts and sessions without JavaScript', () => {
  test('register, note, log out, log in with next, log out everywhere', async ({ page, context }) => {
    const account = newAccount();
    await new RegisterPage(page).goto();
    await new RegisterPage(page).register(account);
    await new ProfilePage(page).expectSignedInAs(account);

    const session = new SessionPage(page);
    await session.goto();
    await session.saveNote('no script needed');
    await expect(session.note()).toHaveText('Note: no script needed');

    await new ProfilePage(page).goto();
    await new ProfilePage(page).logOut();
    await expect(page.getByText('You are not logged in!')).toBeVisible();
    await session.goto();
    await expect(session.note()).toHaveText('Note: no script needed');

    await page.goto('/users');
    await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
    const login = new LoginPage(page);
    await login.login({ username: account.username, password: 'wrong-password' });
    await expect(page.getByText('Invalid username or password.')).toBeVisible();
    await expect(page).toHaveURL(/next=%2Fusers/);
    await login.login(account);
    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
    await expect(await userRow(page, account.username)).toBeVisible();

    await new ProfilePage(page).goto();
    await new ProfilePage(page).logOutEverywhere();
    await expect(page.getByText('You are not logged in!')).toBeVisible();
    await session.goto();
    await expect(session.note()).toHaveText('No note in this session.');
    expect((await context.cookies()).find((c) => c.name === 'sesame_session')).toBeUndefined();
  });
});
