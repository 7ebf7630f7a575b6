import { test, expect, hydrated } from './fixtures';
import { ProfilePage, registerByApi, signInElsewhere } from './fixtures/auth-pages';

test('the sessions page lists this device and another one', async ({ browser, page }) => {
  const account = await registerByApi(page);
  const { context: other, page: otherPage } = await signInElsewhere(browser, account);

  await page.goto('/profile/sessions');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Sessions & devices' })).toBeVisible();
  const mine = page.getByTestId('this-device');
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('This device');
  await expect(mine).toContainText('127.0.0.1');
  await expect(mine).toContainText(/Chrom/);
  await expect(page.getByTestId('other-device')).toHaveCount(1);
  await other.close();
});

test('revoking a session from one browser signs the other out', async ({ browser, page }) => {
  const account = await registerByApi(page);
  const { context: other, page: otherPage } = await signInElsewhere(browser, account);

  await page.goto('/profile/sessions');
  await hydrated(page);
  await page.getByTestId('other-device').getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByTestId('other-device')).toHaveCount(0);
  await expect(page.getByTestId('this-device')).toHaveCount(1);

  // The revoked browser is anonymous on its next request.
  await otherPage.goto('/');
  await expect(otherPage.getByText('You are not logged in!')).toBeVisible();
  await otherPage.goto('/profile');
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fprofile$/);
  await other.close();
});

test('logging out in one tab updates the other tab without a reload', async ({ context, page }) => {
  const account = await registerByApi(page);
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByText(`Logged in as ${account.username}`)).toBeVisible();
  await page.evaluate(() => ((window as any).__sameDocument = true));

  const second = await context.newPage();
  await second.goto('/profile');
  await hydrated(second);
  await new ProfilePage(second).logOut();
  await expect(second.getByText('You are not logged in!')).toBeVisible();

  // The first tab, never reloaded and never focused, follows.
  await expect(page.getByText('You are not logged in!')).toBeVisible({ timeout: 3000 });
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test('a password change keeps this tab signed in', async ({ page }) => {
  const account = await registerByApi(page);
  await page.goto('/profile/password');
  await hydrated(page);
  await page.getByLabel('Current password').fill('not-the-password');
  await page.getByLabel('New password').fill('another-long-password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('That is not your current password.')).toBeVisible();

  await page.getByLabel('Current password').fill(account.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();
  await page.goto('/');
  await expect(page.getByText(`Logged in as ${account.username}`)).toBeVisible();
});
