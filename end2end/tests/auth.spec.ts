import { test, expect, hydrated, markDocument, isSameDocument } from './fixtures';
import {
  LoginPage,
  ProfilePage,
  RegisterPage,
  expectAnonymousHome,
  newAccount,
  registerByApi,
  sessionCookie,
  signInElsewhere,
  userRow,
} from './fixtures/auth-pages';

test('register lands on the profile, signed in', async ({ page }) => {
  const account = newAccount();
  const register = new RegisterPage(page);
  await register.goto();
  await hydrated(page);
  await register.register(account);
  await new ProfilePage(page).expectSignedInAs(account);
  await page.goto('/');
  await expect(page.getByText(`Logged in as ${account.username}`)).toBeVisible();
});

test('each bad registration field gets its own message', async ({ page }) => {
  const register = new RegisterPage(page);
  await register.goto();
  await hydrated(page);
  await register.register({ username: 'a b', email: 'nope', password: 'short' });
  await expect(page.locator('#username-error')).toHaveText(
    "Username must be 3–32 characters: letters, digits, '_', '.' or '-'.",
  );
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address (at most 254 bytes).');
  await expect(page.locator('#password-error')).toHaveText('Password must be 8–128 characters.');
  await expect(page).toHaveURL(/\/register$/);
});

test('a wrong password says so and signs no one in', async ({ page, context }) => {
  const account = await registerByApi(page);
  await context.clearCookies();
  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await login.login({ username: account.username, password: 'not-the-password' });
  await expect(login.error()).toHaveText('Invalid username or password.');
  expect(await sessionCookie(context)).toBeUndefined();
  await expectAnonymousHome(page);
});

test('login goes to next, client-side, and the nav follows', async ({ page, context }) => {
  const account = await registerByApi(page);
  await context.clearCookies();
  await page.goto('/users');
  await expect(page).toHaveURL(/\/login\?next=%2Fusers$/);
  await hydrated(page);
  await markDocument(page);

  await new LoginPage(page).login(account);

  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole('columnheader', { name: 'Username' })).toBeVisible();
  // A data row under the header (the user's own may be on a later page).
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: account.username })).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);
});

test('reload keeps the session; the first paint is already signed in', async ({ page }) => {
  const account = await registerByApi(page);
  await page.goto('/profile');
  await new ProfilePage(page).expectSignedInAs(account);
  await page.reload();
  await new ProfilePage(page).expectSignedInAs(account);
  const html = await (await page.request.get('/')).text();
  expect(html).toContain(`Logged in as ${account.username}`);
});

test('remember me keeps the cookie about 7 days; without it, a browser-session cookie', async ({ page, context }) => {
  const account = await registerByApi(page);
  await context.clearCookies();
  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await login.login(account, true);
  await expect(page).toHaveURL(/\/profile$/);
  const remembered = await sessionCookie(context);
  const days = ((remembered?.expires ?? 0) - Date.now() / 1000) / 86400;
  expect(days).toBeGreaterThan(6.9);
  expect(days).toBeLessThan(7.1);
  expect(remembered?.httpOnly).toBe(true);
  expect(remembered?.sameSite).toBe('Lax');

  await context.clearCookies();
  await login.goto();
  await hydrated(page);
  await login.login(account, false);
  await expect(page).toHaveURL(/\/profile$/);
  expect((await sessionCookie(context))?.expires).toBe(-1);
});

test('log out signs out without a reload', async ({ page }) => {
  const account = await registerByApi(page);
  const profile = new ProfilePage(page);
  await profile.goto();
  await profile.expectSignedInAs(account);
  await hydrated(page);
  await markDocument(page);
  await profile.logOut();
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);
  await page.goto('/profile');
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test('log out everywhere in one browser signs out another', async ({ browser, page }) => {
  const account = await registerByApi(page);
  const { context: other, page: otherPage } = await signInElsewhere(browser, account, true);

  const profile = new ProfilePage(page);
  await profile.goto();
  await hydrated(page);
  await profile.logOutEverywhere();
  await expect(page.getByText('You are not logged in!')).toBeVisible();

  await otherPage.goto('/');
  await expect(otherPage.getByText('You are not logged in!')).toBeVisible();
  await otherPage.goto('/profile');
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fprofile$/);
  await other.close();
});

test('anonymous visitors are sent to log in', async ({ page }) => {
  for (const [path, next] of [
    ['/profile', '%2Fprofile'],
    ['/users', '%2Fusers'],
  ]) {
    const res = await page.goto(path);
    expect(res?.url()).toMatch(new RegExp(`/login\\?next=${next}$`));
    await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  }
  // ...and after hydration, by the router.
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test('the users table shows the user', async ({ page }) => {
  const account = await registerByApi(page);
  const row = await userRow(page, account.username);
  await expect(row).toContainText(account.email);
  await expect(page.getByRole('columnheader', { name: 'ID' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Email' })).toBeVisible();
});
