import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The suite starts its own server on E2E_PORT with a fresh database, so it
// never touches the database of an app you have running. The server is
// target/release/sesame (`cargo leptos build --release`), or E2E_SERVER:
// scripts/test passes the debug binary its HTTP tests ran, built already.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'sesame-e2e-'));
// A second server, for the few tests that need a sign-in proof to go
// stale: REAUTH_MINUTES=1 instead of 5. Passkeys need a host name, so the
// passkey tests use http://localhost:PORT on either (PUBLIC_URL).
const reauthPort = Number(process.env.E2E_REAUTH_PORT ?? port + 1);
const reauthDataDir = mkdtempSync(join(tmpdir(), 'sesame-e2e-reauth-'));

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download is not available here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
  webServer: [server(port, dataDir), server(reauthPort, reauthDataDir, { REAUTH_MINUTES: '1' })],
});

function server(port: number, dataDir: string, extra: Record<string, string> = {}) {
  return {
    command: process.env.E2E_SERVER ?? './target/release/sesame',
    cwd: '..',
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: `http://localhost:${port}`,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_ENV: 'PROD',
      COOKIE_SECURE: 'false',
      DATABASE_URL: `sqlite://${dataDir}/sesame.db?mode=rwc`,
      SECRET_KEY: 'e2e-only-secret-key-0123456789abcdef0123456789abcdef0123456789',
      RUST_LOG: 'warn',
      // Every test's browser is on 127.0.0.1: to the server, one address
      // signing in a hundred times in two minutes. The per-client limits
      // stay on, with room for a crowd (tests/api/floods.rs tests them).
      PASSWORD_ATTEMPTS_PER_MINUTE: '600',
      NEW_SESSIONS_PER_MINUTE: '600',
      ...extra,
    },
  };
}
