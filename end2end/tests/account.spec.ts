// The account's own security pages: activity, export, two-factor.
import { readFileSync } from 'node:fs';
import { test, expect, hydrated, markDocument, isSameDocument } from './fixtures';
import { LoginPage, ProfilePage, registerByApi } from './fixtures/auth-pages';
import { totp } from './fixtures/totp';

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

test('download your data, then delete the account', async ({ page }) => {
  const account = await registerByApi(page);
  const profile = new ProfilePage(page);
  await profile.goto();
  await hydrated(page);
  await markDocument(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download your data' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('sesame-export.json');
  const file = await download.path();
  const exported = JSON.parse(readFileSync(file, 'utf8'));
  expect(exported.account.username).toBe(account.username);
  expect(JSON.stringify(exported)).not.toContain('$argon2');

  const password = page.getByLabel('Password', { exact: true });
  await password.fill('not-the-password');
  await page.getByRole('button', { name: 'Delete account' }).click();
  await expect(page.locator('#password-error')).toHaveText('That is not your password.');
  await password.fill(account.password);
  await page.getByRole('button', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);

  const login = new LoginPage(page);
  await login.goto();
  await login.login(account);
  await expect(login.error()).toHaveText('Invalid username or password.');
});

test('two-factor: turn it on from the secret shown, then sign in with password and code', async ({ page }) => {
  const account = await registerByApi(page);
  await page.goto('/profile');
  await hydrated(page);
  await page.getByRole('link', { name: 'Two-factor authentication' }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  await page.getByLabel('Authentication code').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await expect(page.getByTestId('two-factor-state')).toHaveText('Two-factor authentication is on.');
  const codes = page.getByTestId('recovery-codes').locator('li');
  await expect(codes).toHaveCount(10);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await login.login(account);
  await expect(page).toHaveURL(/\/login\/2fa$/);
  await page.getByLabel('Authentication code').fill('000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.locator('#code-error')).toHaveText('Invalid authentication code.');
  // The next step's code: the one that turned it on is used up.
  await page.getByLabel('Authentication code').fill(totp(secret, Date.now() / 1000 + 30));
  await page.getByRole('button', { name: 'Verify' }).click();
  await new ProfilePage(page).expectSignedInAs(account);

  await page.goto('/profile/activity');
  await expect(page.locator('tbody tr').first()).toContainText('Signed in: with a password and an authentication code');
  await expect(page.locator('tbody tr[data-kind="two_factor_on"]')).toHaveCount(1);
  await expect(page.locator('tbody tr[data-kind="sign_in_failed"]')).toContainText('wrong authentication code');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the second step of a two-factor sign-in works as form posts', async ({ page }) => {
    const account = await registerByApi(page);
    const status = await (await page.request.post('/api/two_factor')).json();
    const secret: string = status.setup.secret;
    const on = await page.request.post('/api/enable_two_factor', { form: { code: totp(secret) } });
    expect(on.status()).toBe(200);
    await page.request.post('/api/logout');

    const login = new LoginPage(page);
    await login.goto();
    await login.login(account);
    await expect(page).toHaveURL(/\/login\/2fa$/);
    await page.getByLabel('Authentication code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.locator('#code-error')).toHaveText('Invalid authentication code.');
    await page.getByLabel('Authentication code').fill(totp(secret, Date.now() / 1000 + 30));
    await page.getByRole('button', { name: 'Verify' }).click();
    await new ProfilePage(page).expectSignedInAs(account);
  });
});
