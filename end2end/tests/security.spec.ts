import { test, expect, hydrated, uniqueName } from './fixtures';

// The pages run under a strict Content-Security-Policy (scripts from this
// site or with the response's nonce, WASM compilation, nothing inline
// without the nonce). The app must still hydrate and work, with no
// violation reported by the browser.
test('the app hydrates and signs in under its Content-Security-Policy', async ({ page }) => {
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`),
    );
  });
  const response = await page.goto('/login');
  const policy = response?.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  expect(policy).not.toContain('unsafe-inline');
  await hydrated(page);

  // Hydrated behaviour still works: a server-function round trip.
  await page.getByLabel('Username').fill(uniqueName());
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Invalid username or password.')).toBeVisible();

  const violations = await page.evaluate(() => (window as any).__cspViolations);
  expect(violations).toEqual([]);
});

test('an injected inline script without the nonce is blocked', async ({ page, consoleProblems }) => {
  await page.goto('/');
  await hydrated(page);
  const ran = await page.evaluate(() => {
    (window as any).__injected = false;
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.body.appendChild(script);
    return (window as any).__injected;
  });
  expect(ran).toBe(false);
  // The browser reports the blocked script; that report is the point here.
  const refused = consoleProblems.filter((p) => /inline script violates the following Content Security Policy directive/.test(p));
  expect(refused.length).toBeGreaterThan(0);
  consoleProblems.splice(0, consoleProblems.length, ...consoleProblems.filter((p) => !refused.includes(p)));
});
