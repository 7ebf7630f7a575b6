import AxeBuilder from '@axe-core/playwright';
import { test, expect, hydrated } from './fixtures';
import { LoginPage, ProfilePage, SessionPage, newAccount } from './fixtures/auth-pages';
import type { Page } from '@playwright/test';

/** The picture's labels, as the browser has them (real text in the SVG). */
async function picture(page: Page): Promise<string> {
  await page.goto('/how-it-works');
  const svg = page.getByTestId('diagram').locator('svg');
  await expect(svg).toBeVisible();
  return (await svg.locator('text').allTextContents()).join('\n');
}

/** Nothing sticks out: not the page, not a label out of the picture. */
async function expectNoOverflow(page: Page) {
  const overflow = await page.evaluate(() => {
    const doc = document.documentElement;
    const svg = document.querySelector('[data-testid="diagram"] svg') as SVGSVGElement;
    const width = svg.viewBox.baseVal.width;
    const labels = [...svg.querySelectorAll('text')].map((t) => {
      const box = (t as SVGTextElement).getBBox();
      return { text: t.textContent, right: box.x + box.width };
    });
    return {
      page: doc.scrollWidth - window.innerWidth,
      figure: svg.getBoundingClientRect().right - window.innerWidth,
      labels: labels.filter((l) => l.right > width),
    };
  });
  expect(overflow.page, 'the page scrolls sideways').toBeLessThanOrEqual(0);
  expect(overflow.figure, 'the picture is wider than the screen').toBeLessThanOrEqual(0);
  expect(overflow.labels, 'labels past the picture’s edge').toEqual([]);
}

for (const javaScript of [true, false]) {
  test.describe(`how it works, JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled: javaScript });

    test('the picture follows every action', async ({ page }) => {
      let text = await picture(page);
      expect(text).toContain('No cookies: nothing has been set here.');
      expect(text).toContain('No session stored for this browser.');

      await page.goto('/cookies');
      if (javaScript) await hydrated(page);
      await page.getByLabel('Name').fill('alice');
      await page.getByRole('button', { name: 'Set cookie' }).click();
      await expect(page.getByTestId('greeting')).toHaveText('Hello, alice!');
      await page.getByRole('link', { name: 'See what changed' }).click();
      await expect(page).toHaveURL(/\/how-it-works$/);
      text = await picture(page);
      expect(text).toContain('username = alice');
      expect(text).toContain('Set-Cookie: username=alice; HttpOnly; SameSite=Lax');

      const session = new SessionPage(page);
      await session.goto();
      if (javaScript) await hydrated(page);
      await session.saveNote('remember the milk');
      await expect(session.note()).toHaveText('Note: remember the milk');
      text = await picture(page);
      expect(text).toContain('note → remember the milk');
      expect(text).toContain('user → (not signed in)');
      expect(text).toMatch(/session under key \S{8}…/);

      const account = newAccount();
      await page.goto('/register');
      if (javaScript) await hydrated(page);
      await page.getByLabel('Username').fill(account.username);
      await page.getByLabel('Email').fill(account.email);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await new ProfilePage(page).expectSignedInAs(account);
      text = await picture(page);
      expect(text).toContain(`, ${account.username}`);
      expect(text).toContain(`users row:`);
      expect(text).toContain('until the browser closes');

      // Log out from the nav: the note stays, the user goes.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Log out' }).click();
      await expect(page.getByText('You are not logged in!')).toBeVisible();
      text = await picture(page);
      expect(text).toContain('user → (not signed in)');
      expect(text).toContain('note → remember the milk');

      const login = new LoginPage(page);
      await login.goto();
      if (javaScript) await hydrated(page);
      await login.login(account, true);
      await new ProfilePage(page).expectSignedInAs(account);
      text = await picture(page);
      expect(text).toContain('Max-Age=604800');

      await new ProfilePage(page).goto();
      if (javaScript) await hydrated(page);
      await new ProfilePage(page).logOutEverywhere();
      await expect(page.getByText('You are not logged in!')).toBeVisible();
      text = await picture(page);
      expect(text).toContain('No session stored for this browser.');
      expect(text).toContain('username = alice');
    });
  });
}

test('the picture is text a screen reader can use, and fits a phone and a desktop', async ({ page }, testInfo) => {
  await page.goto('/set_cookie/a-rather-long-name-that-goes-on-and-on-and-on-and-on');
  await page.goto('/session');
  await hydrated(page);
  await new SessionPage(page).saveNote('x'.repeat(200));
  await expect(new SessionPage(page).note()).toContainText('Note: xxx');

  await page.goto('/how-it-works');
  const svg = page.getByTestId('diagram').locator('svg');
  await expect(svg).toHaveAttribute('role', 'group');
  await expect(svg).toHaveAccessibleName('What this browser holds and what the server stores for it');
  expect(await svg.locator('text').count()).toBeGreaterThan(8);
  await expect(page.getByRole('heading', { name: 'How it works' })).toBeVisible();
  await hydrated(page);
  const audit = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(audit.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`)).toEqual([]);

  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/how-it-works');
    await hydrated(page);
    await expectNoOverflow(page);
    await page.screenshot({ path: testInfo.outputPath(`how-it-works-${width}.png`), fullPage: true });
  }
});
