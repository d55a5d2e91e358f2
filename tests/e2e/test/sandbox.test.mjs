// The sandbox object itself: health, reconnecting by id, and many SDK calls at once on one daemon.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Sandbox } from 'e2b';
import { createSandbox, startEnvd } from '../lib/envd.mjs';
import { scratchPath } from '../lib/support.mjs';

const root = scratchPath('sandbox');
let envd;
let sbx;

before(async () => {
  envd = await startEnvd();
  sbx = await createSandbox();
});

after(async () => {
  await envd?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('isRunning is true while envd answers', async () => {
  assert.equal(await sbx.isRunning(), true);
});

test('Sandbox.connect by id reaches the same envd', async () => {
  const path = `${root}/connect/shared.txt`;
  await sbx.files.write(path, 'written by the first handle');

  const same = await Sandbox.connect(sbx.sandboxId);
  assert.equal(await same.files.read(path), 'written by the first handle');
  assert.equal((await same.commands.run(`cat ${path}`)).stdout, 'written by the first handle');
});

test('concurrent uploads, downloads and commands all complete intact', async () => {
  const files = Array.from({ length: 16 }, (_, i) => ({ path: `${root}/parallel/f${i}.bin`, data: randomBytes(512 * 1024 + i) }));

  const [written, results] = await Promise.all([
    Promise.all(files.map((f) => sbx.files.write(f.path, f.data))),
    Promise.all(Array.from({ length: 8 }, (_, i) => sbx.commands.run(`echo run-${i}`))),
  ]);

  assert.deepEqual(written.map((w) => w.path), files.map((f) => f.path));
  assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 8 }, (_, i) => `run-${i}\n`));
  const read = await Promise.all(files.map((f) => sbx.files.read(f.path, { format: 'bytes' })));
  read.forEach((bytes, i) => assert.ok(Buffer.from(bytes).equals(files[i].data), `${files[i].path} reads back intact`));
});
