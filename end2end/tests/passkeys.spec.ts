// Passkeys in Chromium, with a virtual authenticator (Chrome DevTools
// Protocol): a platform authenticator that keeps discoverable credentials
// and verifies its user, with every touch simulated. WebAuthn takes no IP
// address as its relying party, so these pages are opened on
// http://localhost:PORT, which is each server's PUBLIC_URL.
import { type Page } from '@playwright/test';
import { test, expect, hydrated } from './fixtures';
import { LoginPage, ProfilePage, registerByApi } from './fixtures/auth-pages';

const port = Number(process.env.E2E_PORT ?? 3100);
// The second server: REAUTH_MINUTES=1 (playwright.config.ts).
const reauthPort = Number(process.env.E2E_REAUTH_PORT ?? port + 1);

test.use({ baseURL: `http://localhost:${port}` });

async function addAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  return { credentials };
}

async function addPasskey(page: Page, name: string) {
  await page.goto('/profile/passkeys');
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Passkeys', exact: true })).toBeVisible();
  await page.getByLabel('Passkey name (optional)').fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey added' })).toHaveText(`Passkey added: ${name}.`);
  const row = page.getByTestId('passkey').filter({ hasText: name });
  await expect(row).toContainText('Never');
  return row;
}

/** As in a browser without passkey autofill: the virtual authenticator
 * would answer an autofill request on /login by itself. */
async function withoutAutofill(page: Page) {
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
}

async function logOut(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByText('You are not logged in!')).toBeVisible();
}

test('add a passkey, sign in with it alone, see it used, remove it; then it no longer signs in', async ({ page }) => {
  const authenticator = await addAuthenticator(page);
  const account = await registerByApi(page);
  await addPasskey(page, 'Laptop');
  const stored = await authenticator.credentials();
  expect(stored).toHaveLength(1);
  expect(stored[0].isResidentCredential).toBe(true);

  await logOut(page);
  // The button's way (the next test covers the autofill's).
  await withoutAutofill(page);
  const login = new LoginPage(page);
  await login.goto();
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await new ProfilePage(page).expectSignedInAs(account);

  await page.goto('/profile/passkeys');
  const row = page.getByTestId('passkey').filter({ hasText: 'Laptop' });
  await expect(row).not.toContainText('Never');
  await expect(row).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  await page.goto('/profile/activity');
  await expect(page.locator('tbody tr').first()).toContainText('Signed in: with a passkey (Laptop)');

  await page.goto('/profile/passkeys');
  await hydrated(page);
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByTestId('no-passkeys')).toHaveText('You have no passkeys yet.');

  await logOut(page);
  await login.goto();
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'This passkey is not registered here (it may have been removed). Log in with your password.',
  );
  await expect(page).toHaveURL(/\/login$/);
  // The password still works.
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await new ProfilePage(page).expectSignedInAs(account);
});

test('passkey autofill (conditional UI): picking the passkey on /login signs in', async ({ page }) => {
  await addAuthenticator(page);
  const account = await registerByApi(page);
  await addPasskey(page, 'Autofill');
  await logOut(page);
  // The username field offers passkeys; the virtual authenticator picks
  // the one it has as soon as the page asks.
  const html = await (await page.request.get('/login')).text();
  expect(html).toContain('autocomplete="username webauthn"');
  await page.goto('/login?next=%2Fprofile%2Fpasskeys');
  await expect(page).toHaveURL(/\/profile\/passkeys$/);
  await expect(page.getByTestId('passkey').filter({ hasText: 'Autofill' })).not.toContainText('Never');
  await page.goto('/profile');
  await new ProfilePage(page).expectSignedInAs(account);
});

test('delete the account with a passkey instead of the password', async ({ page }) => {
  await addAuthenticator(page);
  const account = await registerByApi(page);
  await addPasskey(page, 'Only key');
  await page.goto('/profile');
  await hydrated(page);
  await page.getByRole('button', { name: 'Delete account with a passkey' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  await withoutAutofill(page);
  const login = new LoginPage(page);
  await login.goto();
  await login.login(account);
  await expect(login.error()).toHaveText('Invalid username or password.');
});

test.describe('with REAUTH_MINUTES=1', () => {
  test.use({ baseURL: `http://localhost:${reauthPort}` });

  test('a stale proof: the page asks first, a passkey gives it, and the change goes on', async ({ page }) => {
    test.setTimeout(120_000);
    await addAuthenticator(page);
    const account = await registerByApi(page);
    await addPasskey(page, 'Phone');
    // The sign-in's proof goes stale after a minute.
    await page.waitForTimeout(61_000);

    await page.goto('/profile/password');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Confirm your password' })).toBeVisible();
    await expect(page.getByLabel('Current password')).toHaveCount(0);
    // Straight to the server function: refused.
    const refused = await page.request.post('/api/change_password', {
      form: { current: account.password, new: 'a-new-password-1' },
      headers: { Accept: 'application/json' },
    });
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error).toBe('reauth_required');

    await page.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect(page.getByLabel('Current password')).toBeVisible();
    await page.getByLabel('Current password').fill(account.password);
    await page.getByLabel('New password').fill('a-new-password-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Your password was changed' })).toBeVisible();
  });
});

test('with JavaScript off, the passkey pages say they need it and the password form still works', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: `http://localhost:${port}` });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByText('Passkeys need JavaScript, which is off in this browser.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeHidden();
  const account = await registerByApi(page);
  await page.goto('/profile/passkeys');
  await expect(page.getByRole('heading', { name: 'Passkeys', exact: true })).toBeVisible();
  await expect(page.getByText('Passkeys need JavaScript, which is off in this browser.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeHidden();
  await page.goto('/profile');
  await expect(page.getByRole('heading', { name: `Welcome, ${account.username}` })).toBeVisible();
  await context.close();
});
