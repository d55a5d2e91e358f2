// sandbox.commands as an SDK user drives it: foreground runs, background commands, re-attaching, stdin and kills.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AuthenticationError, CommandExitError, InvalidArgumentError, NotFoundError, TimeoutError } from 'e2b';
import { createSandbox, SANDBOX_HOME, SANDBOX_USER, startEnvd } from '../lib/envd.mjs';
import { eventually, scratchPath } from '../lib/support.mjs';

const root = scratchPath('commands');
let envd;
let sbx;

before(async () => {
  envd = await startEnvd();
  sbx = await createSandbox();
  await sbx.commands.run(`mkdir -p ${root}`);
});

after(async () => {
  await envd?.stop();
  rmSync(root, { recursive: true, force: true });
});

const running = async (pid) => (await sbx.commands.list()).some((p) => p.pid === pid);

describe('commands.run', () => {
  test('returns stdout, stderr and exit code 0', async () => {
    const result = await sbx.commands.run('echo hello; echo "to stderr" 1>&2');

    assert.equal(result.exitCode, 0);
    assert.equal(result.stdout, 'hello\n');
    assert.equal(result.stderr, 'to stderr\n');
    assert.equal(result.error, undefined);
  });

  test('streams output to the callbacks as it comes', async () => {
    const out = [];
    const err = [];
    await sbx.commands.run('echo one; echo two 1>&2; echo three', {
      onStdout: (data) => out.push(data),
      onStderr: (data) => err.push(data),
    });

    assert.equal(out.join(''), 'one\nthree\n');
    assert.equal(err.join(''), 'two\n');
  });

  test('a non-zero exit throws CommandExitError with the output so far', async () => {
    const error = await sbx.commands.run('echo partial; echo oops 1>&2; exit 3').then(
      () => assert.fail('exit 3 must reject'),
      (e) => e,
    );

    assert.ok(error instanceof CommandExitError, `got ${error}`);
    assert.equal(error.exitCode, 3);
    assert.equal(error.stdout, 'partial\n');
    assert.equal(error.stderr, 'oops\n');
    assert.equal(error.error, 'exit status 3');
  });

  test('an unknown command exits 127', async () => {
    await assert.rejects(sbx.commands.run('definitely-not-a-command-on-this-box'), (e) => {
      assert.ok(e instanceof CommandExitError, `got ${e}`);
      assert.equal(e.exitCode, 127);
      assert.match(e.stderr, /not found/);
      return true;
    });
  });

  test('runs as the sandbox user in its home with a login shell environment', async () => {
    const result = await sbx.commands.run('whoami; pwd; echo "$HOME"; echo "$USER"');

    assert.equal(result.stdout, `${SANDBOX_USER}\n${SANDBOX_HOME}\n${SANDBOX_HOME}\n${SANDBOX_USER}\n`);
  });

  test('passes envs and cwd', async () => {
    const result = await sbx.commands.run('echo "$E2E_FOO|$E2E_EMPTY|$E2E_QUOTE" && pwd', {
      envs: { E2E_FOO: 'bar baz', E2E_EMPTY: '', E2E_QUOTE: `it's "quoted"` },
      cwd: root,
    });

    assert.equal(result.stdout, `bar baz||it's "quoted"\n${root}\n`);
  });

  test('a cwd that does not exist is refused', async () => {
    await assert.rejects(sbx.commands.run('pwd', { cwd: `${root}/no/such/dir` }), (e) => {
      assert.ok(e instanceof InvalidArgumentError, `got ${e}`);
      assert.match(e.message, /does not exist/);
      return true;
    });
  });

  test('runs as another user when asked', async () => {
    const result = await sbx.commands.run('whoami; pwd', { user: 'root' });

    assert.equal(result.stdout, 'root\n/root\n');
  });

  test('an unknown user is refused', async () => {
    await assert.rejects(sbx.commands.run('whoami', { user: 'no-such-user-here' }), AuthenticationError);
  });

  test('the sandbox user has passwordless sudo and python3, like an E2B image', async () => {
    assert.equal((await sbx.commands.run('sudo -n whoami')).stdout, 'root\n');
    assert.equal((await sbx.commands.run('python3 -c "print(6 * 7)"')).stdout, '42\n');
  });

  test('stdin is closed unless asked for, so a reader ends at once', async () => {
    const result = await sbx.commands.run('cat; echo "cat saw EOF"', { timeoutMs: 10_000 });

    assert.equal(result.stdout, 'cat saw EOF\n');
  });

  test('large output arrives whole', async () => {
    const result = await sbx.commands.run('python3 -c "import sys; sys.stdout.write(\'x\' * 3000000)"; echo; echo done 1>&2');

    assert.equal(result.stdout.length, 3_000_001);
    assert.match(result.stdout, /^x+\n$/);
    assert.equal(result.stderr, 'done\n');
  });

  test('timeoutMs ends a command that runs too long and kills it', async () => {
    const pidFile = `${root}/timeout.pid`;
    const started = Date.now();
    await assert.rejects(sbx.commands.run(`echo $$ > ${pidFile}; exec sleep 30`, { timeoutMs: 1_500 }), TimeoutError);
    assert.ok(Date.now() - started < 10_000, 'the timeout fired long before the command would have ended');

    const pid = Number((await sbx.commands.run(`cat ${pidFile}`)).stdout.trim());
    await eventually(`pid ${pid} to be killed`, async () => !(await running(pid)), { timeoutMs: 5_000 });
  });
});

describe('background commands', () => {
  test('are listed while they run and killed on request', async () => {
    const handle = await sbx.commands.run('sleep 30', { background: true });
    assert.ok(handle.pid > 0);

    const listed = (await sbx.commands.list()).find((p) => p.pid === handle.pid);
    assert.deepEqual({ cmd: listed?.cmd, args: listed?.args }, { cmd: '/bin/bash', args: ['-l', '-c', 'sleep 30'] });

    assert.equal(await sbx.commands.kill(handle.pid), true);
    await assert.rejects(handle.wait(), (e) => {
      assert.ok(e instanceof CommandExitError, `got ${e}`);
      assert.equal(e.exitCode, -1);
      assert.equal(e.error, 'signal: killed');
      return true;
    });
    assert.equal(await running(handle.pid), false);
    assert.equal(await sbx.commands.kill(handle.pid), false);
  });

  test('handle.kill ends the command', async () => {
    const handle = await sbx.commands.run('sleep 30', { background: true });

    assert.equal(await handle.kill(), true);
    await assert.rejects(handle.wait(), CommandExitError);
  });

  test('list shows envs, cwd and both of several commands', async () => {
    const a = await sbx.commands.run('sleep 30', { background: true, envs: { E2E_MARK: 'a' }, cwd: root });
    const b = await sbx.commands.run('sleep 31', { background: true });
    try {
      const list = await sbx.commands.list();
      const la = list.find((p) => p.pid === a.pid);
      const lb = list.find((p) => p.pid === b.pid);
      assert.equal(la?.envs.E2E_MARK, 'a');
      assert.equal(la?.cwd, root);
      assert.deepEqual(lb?.args, ['-l', '-c', 'sleep 31']);
    } finally {
      await a.kill();
      await b.kill();
    }
  });

  test('connect re-attaches to a running command and sees its output and exit', async () => {
    const first = await sbx.commands.run('read line; echo "got $line"; exit 4', { background: true, stdin: true });
    await first.disconnect();
    assert.equal(await running(first.pid), true, 'disconnecting leaves the command running');

    const out = [];
    const again = await sbx.commands.connect(first.pid, { onStdout: (d) => out.push(d) });
    assert.equal(again.pid, first.pid);
    await again.sendStdin('hello\n');
    await assert.rejects(again.wait(), (e) => {
      assert.ok(e instanceof CommandExitError, `got ${e}`);
      assert.equal(e.exitCode, 4);
      assert.equal(e.stdout, 'got hello\n');
      return true;
    });
    assert.equal(out.join(''), 'got hello\n');
  });

  test('connect to a command that just finished reports how it ended', async () => {
    const handle = await sbx.commands.run('exit 5', { background: true });
    await assert.rejects(handle.wait(), CommandExitError);

    const again = await sbx.commands.connect(handle.pid);
    await assert.rejects(again.wait(), (e) => {
      assert.ok(e instanceof CommandExitError, `got ${e}`);
      assert.equal(e.exitCode, 5);
      return true;
    });
  });

  test('connect to an unknown pid is a NotFoundError', async () => {
    await assert.rejects(sbx.commands.connect(999_999), NotFoundError);
  });

  test('sendStdin and closeStdin feed a command through both the handle and commands', async () => {
    const handle = await sbx.commands.run('cat; echo "[eof]"', { background: true, stdin: true });

    await handle.sendStdin('ping\n');
    await sbx.commands.sendStdin(handle.pid, 'pong\n');
    await sbx.commands.sendStdin(handle.pid, new TextEncoder().encode('bytes ✓\n'));
    await handle.closeStdin();
    const result = await handle.wait();

    assert.equal(result.stdout, 'ping\npong\nbytes ✓\n[eof]\n');
  });

  test('commands.closeStdin by pid ends the input as well', async () => {
    const handle = await sbx.commands.run('wc -c', { background: true, stdin: true });

    await sbx.commands.sendStdin(handle.pid, '12345');
    await sbx.commands.closeStdin(handle.pid);

    assert.equal((await handle.wait()).stdout.trim(), '5');
  });

  test('stdin cannot be sent to a command started without it', async () => {
    const handle = await sbx.commands.run('sleep 30', { background: true });
    try {
      await assert.rejects(sbx.commands.sendStdin(handle.pid, 'nobody reads this\n'));
    } finally {
      await handle.kill();
    }
  });
});
