// Every page, as a visitor and signed in, with its islands running: axe-core
// finds no WCAG 2.2 AA violation.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, hydrated } from './fixtures';
import { registerByApi } from './fixtures/auth-pages';

const anyone = ['/', '/login', '/login/2fa', '/register', '/cookies', '/session', '/how-it-works', '/set_cookie/axe', '/delete_cookie', '/no-such-page'];
const signedIn = ['/', '/profile', '/profile/sessions', '/profile/password', '/profile/activity', '/profile/2fa', '/profile/passkeys', '/users', '/session', '/cookies'];

async function audit(page: import('@playwright/test').Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(result.violations.map((v) => `${path}: ${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);
}

test('every page a visitor sees passes axe-core', async ({ page }) => {
  for (const path of anyone) await audit(page, path);
});

test('every page a signed-in user sees passes axe-core', async ({ page }) => {
  await registerByApi(page);
  for (const path of signedIn) await audit(page, path);
});
