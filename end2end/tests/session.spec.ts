import { test, expect, hydrated } from './fixtures';
import { LoginPage, ProfilePage, SessionPage, registerByApi, sessionCookie } from './fixtures/auth-pages';

test('a visitor has no session until something is stored', async ({ page, context }) => {
  for (const path of ['/', '/cookies', '/session', '/login']) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(await sessionCookie(context)).toBeUndefined();
});

test('a note lives in the session: saved, reloaded, kept by log out, gone after log out everywhere', async ({ page, context }) => {
  const account = await registerByApi(page);
  await page.request.post('/api/logout');
  await context.clearCookies();

  const session = new SessionPage(page);
  await session.goto();
  await expect(session.note()).toHaveText('No note in this session.');
  await hydrated(page);
  await session.saveNote('milk & <honey>');
  await expect(session.note()).toHaveText('Note: milk & <honey>');
  await page.reload();
  await expect(session.note()).toHaveText('Note: milk & <honey>');

  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await login.login(account);
  await new ProfilePage(page).expectSignedInAs(account);
  await session.goto();
  await expect(session.note()).toHaveText('Note: milk & <honey>');

  const profile = new ProfilePage(page);
  await profile.goto();
  await hydrated(page);
  await profile.logOut();
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  await session.goto();
  await expect(session.note()).toHaveText('Note: milk & <honey>');

  await login.goto();
  await hydrated(page);
  await login.login(account);
  await profile.expectSignedInAs(account);
  await hydrated(page);
  await profile.logOutEverywhere();
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  await session.goto();
  await expect(session.note()).toHaveText('No note in this session.');
});

test('a note that is too long gets a message', async ({ page }) => {
  const session = new SessionPage(page);
  await session.goto();
  await hydrated(page);
  await session.saveNote('n'.repeat(201));
  await expect(page.locator('#note-error')).toHaveText('Note must be 1–200 characters.');
  await expect(session.note()).toHaveText('No note in this session.');
});
