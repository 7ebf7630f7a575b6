// The account's own security pages: activity, export, two-factor.
import { test, expect, hydrated, markDocument, isSameDocument } from './fixtures';
import { LoginPage, ProfilePage, registerByApi } from './fixtures/auth-pages';

test('the security activity page lists what happened, newest first', async ({ page }) => {
  const account = await registerByApi(page);
  await page.request.post('/api/logout');
  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await markDocument(page);
  await login.login({ username: account.username, password: 'not-the-password' });
  await expect(login.error()).toHaveText('Invalid username or password.');
  await login.login(account);
  await new ProfilePage(page).expectSignedInAs(account);

  await page.getByRole('link', { name: 'Security activity' }).click();
  await expect(page.getByRole('heading', { name: 'Security activity' })).toBeVisible();
  const rows = page.locator('tbody tr');
  await expect(rows.first()).toContainText('Signed in: with a password');
  await expect(rows.first()).toContainText('127.0.0.1');
  await expect(rows.first()).toContainText(/Chrom/);
  await expect(page.locator('tbody tr[data-kind="sign_in_failed"]')).toHaveCount(1);
  await expect(page.locator('tbody tr[data-kind="signed_out"]')).toHaveCount(1);
  await expect(rows.last()).toContainText('Signed in: new account');
  expect(await isSameDocument(page)).toBe(true);
});
