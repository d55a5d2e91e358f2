// Starts a published Envd the way a sandbox does (outside a VM here), initialises it like the orchestrator, and
// points the E2B SDK's debug mode at it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sandbox } from 'e2b';

const STARTUP_BUDGET_MS = 30_000;
const STOP_BUDGET_MS = 10_000;

/** The default user of E2B sandbox images; `/init` makes it Envd's default user, as the orchestrator does. */
export const SANDBOX_USER = 'user';
export const SANDBOX_HOME = '/home/user';

/** The envd version the SDK assumes in debug mode; every version-gated feature is on. */
export const DEBUG_ENVD_VERSION = '99.99.99';

/**
 * Starts one daemon on a free loopback port and waits until `/init` has made `user` the default user.
 * With `accessToken`, `/init` also sets the token, so every request afterwards needs it (or a signed URL).
 */
export async function startEnvd({ accessToken } = {}) {
  const binary = process.env.ENVD_BIN;
  if (!binary) {
    throw new Error('ENVD_BIN is not set: run tests/e2e/run.sh, which publishes the daemon and points ENVD_BIN at it');
  }

  const port = await freePort();
  const logDir = process.env.E2E_LOG_DIR ?? tmpdir();
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `envd-${port}.log`);
  const log = createWriteStream(logPath);
  // Its own process group, so stopping it also ends any command a failed test left running.
  const child = spawn(binary, ['-isnotfc', '-no-cgroups', '-port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = once(child, 'exit');
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const url = `http://localhost:${port}`;
  const envd = {
    url,
    port,
    logPath,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        killGroup(child, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child, 'SIGKILL'), STOP_BUDGET_MS);
        await exited;
        clearTimeout(timer);
      }

      killGroup(child, 'SIGKILL');
      log.end();
    },
  };

  try {
    await waitForHealth(url, child);
    const init = await fetch(`${url}/init`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(accessToken ? { defaultUser: SANDBOX_USER, accessToken } : { defaultUser: SANDBOX_USER }),
    });
    if (init.status !== 204) {
      throw new Error(`/init answered ${init.status}: ${await init.text()}`);
    }
  } catch (e) {
    await envd.stop();
    throw new Error(`${e.message} (daemon log: ${logPath})`, { cause: e });
  }

  // The SDK reads these when a Sandbox is made: debug mode, no cloud API, envd at this URL.
  process.env.E2B_DEBUG = 'true';
  process.env.E2B_SANDBOX_URL = url;
  return envd;
}

/** A sandbox as the SDK hands it out in debug mode: no API key, no access token. */
export function createSandbox() {
  return Sandbox.create();
}

/**
 * A sandbox that holds an envd access token, as `Sandbox.create()` returns for a secured sandbox in the cloud.
 * Debug mode never carries one, so it is built the way the SDK builds it from the API's answer.
 */
export function securedSandbox(envdAccessToken) {
  return new Sandbox({ sandboxId: 'debug_sandbox_id', envdVersion: DEBUG_ENVD_VERSION, envdAccessToken });
}

async function waitForHealth(url, child) {
  const deadline = Date.now() + STARTUP_BUDGET_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`envd exited during startup (code ${child.exitCode}, signal ${child.signalCode})`);
    }

    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 204) {
        return;
      }
    } catch {
      // Not listening yet.
    }

    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  throw new Error(`envd did not answer /health within ${STARTUP_BUDGET_MS} ms`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
