import { test, expect, hydrated, markDocument, isSameDocument } from './fixtures';

test('every page has the navigation bar', async ({ page }) => {
  for (const path of ['/', '/cookies', '/set_cookie/nav', '/delete_cookie', '/no-such-page']) {
    await page.goto(path);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const link of ['Home', 'Cookies', 'Profile', 'Users', 'Log in']) {
      await expect(nav.getByRole('link', { name: link, exact: true })).toBeVisible();
    }
  }
});

test('after hydration, following a link does not reload the page', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  await markDocument(page);

  await page.getByRole('navigation').getByRole('link', { name: 'Cookies' }).click();
  await expect(page).toHaveURL(/\/cookies$/);
  await expect(page.getByTestId('greeting')).toHaveText('Hello, Guest!');

  await page.getByRole('navigation').getByRole('link', { name: 'Home' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText('You are not logged in!')).toBeVisible();
  expect(await isSameDocument(page)).toBe(true);
});

test('an unknown path answers 404 with a page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
});

test('pages hydrate without console errors or warnings', async ({ page }) => {
  // The fixture fails the test on any console error or warning.
  for (const path of ['/', '/cookies', '/set_cookie/quiet', '/delete_cookie']) {
    await page.goto(path);
    await hydrated(page);
  }
});
