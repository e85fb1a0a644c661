import { defineConfig } from '@playwright/test';
import * as path from 'path';
import * as os from 'os';

// The server under test: the binary built by `cargo leptos build`, on its own port,
// against a fresh SQLite file, with the administrator the tests log in as.
const root = path.resolve(__dirname, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache/ouvrage/target');
const server = process.env.OUVRAGE_BIN ?? path.join(targetDir, 'debug/ouvrage');
const dbFile = path.join(os.tmpdir(), `ouvrage-e2e-${process.pid}.db`);
export const ADMIN = { email: 'admin@e2e.fr', password: 'Chaudiere-E2E-2026' };
const port = Number(process.env.E2E_PORT ?? 3107);
// The SMTP sink (aiosmtpd, from `make setup-test`) the server sends to; mails land in SINK_DIR.
const sinkPort = Number(process.env.E2E_SMTP_PORT ?? 2528);
// (Named by port, not by process: the test workers load this file again.)
export const SINK_DIR = path.join(os.tmpdir(), `ouvrage-e2e-sink-${sinkPort}`);
const python = process.env.OUVRAGE_TEST_PYTHON ?? path.join(os.homedir(), '.cache/ouvrage/mail-venv/bin/python');

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'fr-FR',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: [{
    command: `rm -rf ${SINK_DIR} && ${python} tests/support/smtp_sink.py ${sinkPort} ${SINK_DIR}`,
    cwd: root,
    port: sinkPort,
    reuseExistingServer: false,
    timeout: 30_000,
  }, {
    command: `rm -f ${dbFile} ${dbFile}-wal ${dbFile}-shm && ${server}`,
    cwd: root,
    url: `http://127.0.0.1:${port}/connexion`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${dbFile}`,
      OUVRAGE_ADDR: `127.0.0.1:${port}`,
      OUVRAGE_DEMO: '0',
      OUVRAGE_ADMIN_EMAIL: ADMIN.email,
      OUVRAGE_ADMIN_PASSWORD: ADMIN.password,
      SMTP_URL: `smtp://127.0.0.1:${sinkPort}`,
      OUVRAGE_MAIL_POLL_MS: '50',
      // No DNS here: the sender-domain check says «impossible de vérifier» at once.
      OUVRAGE_DNS: '127.0.0.1:9',
      OUVRAGE_DNS_TIMEOUT_MS: '300',
      LEPTOS_SITE_ROOT: process.env.LEPTOS_SITE_ROOT ?? path.join(root, 'target/site'),
    },
  }],
});
