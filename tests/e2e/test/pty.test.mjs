// sandbox.pty: an interactive terminal that takes typed input, resizes, re-attaches and can be killed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CommandExitError } from 'e2b';
import { createSandbox, SANDBOX_USER, startEnvd } from '../lib/envd.mjs';
import { eventually } from '../lib/support.mjs';

let envd;
let sbx;

before(async () => {
  envd = await startEnvd();
  sbx = await createSandbox();
});

after(async () => {
  await envd?.stop();
});

/** Collects what a terminal prints; markers computed by the shell ($((...))) never match the echoed input. */
function screen() {
  const decoder = new TextDecoder();
  const s = {
    text: '',
    onData: (bytes) => {
      s.text += decoder.decode(bytes, { stream: true });
    },
    until: (marker) => eventually(`terminal output "${marker}" (got ${JSON.stringify(s.text.slice(-400))})`, () => s.text.includes(marker)),
    after: (marker) => s.text.slice(s.text.indexOf(marker) + marker.length),
  };
  return s;
}

const type = (pid, line) => sbx.pty.sendInput(pid, new TextEncoder().encode(line));

test('create starts an interactive shell as the sandbox user that runs typed input', async () => {
  const out = screen();
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, onData: out.onData });
  try {
    await type(terminal.pid, 'echo "ready-$((6 * 7))"; whoami; echo "$TERM"; stty size; echo "done-$((6 * 7))"\n');
    await out.until('done-42');

    const lines = out.after('ready-42').split(/\r?\n/).map((l) => l.trim());
    assert.ok(lines.includes(SANDBOX_USER), `whoami printed ${JSON.stringify(lines)}`);
    assert.ok(lines.includes('xterm-256color'), `TERM printed ${JSON.stringify(lines)}`);
    assert.ok(lines.includes('24 80'), `stty size printed ${JSON.stringify(lines)}`);

    const listed = (await sbx.commands.list()).find((p) => p.pid === terminal.pid);
    assert.deepEqual(listed?.args, ['-i', '-l']);
  } finally {
    await terminal.kill();
  }
});

test('resize changes the size the shell sees', async () => {
  const out = screen();
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, onData: out.onData });
  try {
    await sbx.pty.resize(terminal.pid, { cols: 100, rows: 30 });
    await type(terminal.pid, 'echo "size-$((1 + 1))"; stty size; echo "end-$((1 + 1))"\n');
    await out.until('end-2');

    const lines = out.after('size-2').split(/\r?\n/).map((l) => l.trim());
    assert.ok(lines.includes('30 100'), `stty size printed ${JSON.stringify(lines)}`);
  } finally {
    await terminal.kill();
  }
});

test('envs and cwd reach the shell, and exit ends it with its code', async () => {
  const out = screen();
  const terminal = await sbx.pty.create({ cols: 120, rows: 40, cwd: '/tmp', envs: { E2E_PTY: 'from-sdk' }, onData: out.onData });

  await type(terminal.pid, 'echo "at-$((2 + 3)) $(pwd) $E2E_PTY"; exit 0\n');
  const result = await terminal.wait();

  assert.equal(result.exitCode, 0);
  assert.match(out.text, /at-5 \/tmp from-sdk/);
});

test('a terminal can be left and re-attached with connect', async () => {
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, onData: () => {} });
  try {
    await terminal.disconnect();
    const out = screen();
    const again = await sbx.pty.connect(terminal.pid, { onData: out.onData });
    assert.equal(again.pid, terminal.pid);

    await type(terminal.pid, 'echo "back-$((3 * 3))"\n');
    await out.until('back-9');
  } finally {
    await sbx.pty.kill(terminal.pid);
  }
});

test('kill ends the terminal, and killing it again reports it is gone', async () => {
  const terminal = await sbx.pty.create({ cols: 80, rows: 24, onData: () => {} });

  assert.equal(await sbx.pty.kill(terminal.pid), true);
  await assert.rejects(terminal.wait(), (e) => {
    assert.ok(e instanceof CommandExitError, `got ${e}`);
    assert.equal(e.exitCode, -1);
    return true;
  });
  assert.equal(await sbx.pty.kill(terminal.pid), false);
});
