// sandbox.files.watchDir: events arrive while the SDK keeps the stream open, flat or recursive, with entries on request.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { FileNotFoundError, FilesystemEventType, InvalidArgumentError } from 'e2b';
import { createSandbox, startEnvd } from '../lib/envd.mjs';
import { eventually, scratchPath } from '../lib/support.mjs';

const root = scratchPath('watch');
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

const find = (events, name, type) => events.find((e) => e.name === name && e.type === type);
const seen = (events) => events.map((e) => `${e.type} ${e.name}`).join(', ') || 'nothing';

test('a flat watch reports creates, writes, renames and removes of the directory entries only', async () => {
  const dir = `${root}/flat`;
  await sbx.files.makeDir(`${dir}/sub`);
  const events = [];
  const handle = await sbx.files.watchDir(dir, (e) => events.push(e));
  try {
    await sbx.files.write(`${dir}/sub/nested.txt`, 'below the watched level');
    await sbx.files.write(`${dir}/w.txt`, 'watched');
    await eventually(`create and write of w.txt (saw ${seen(events)})`, () =>
      find(events, 'w.txt', FilesystemEventType.CREATE) && find(events, 'w.txt', FilesystemEventType.WRITE));

    await sbx.files.rename(`${dir}/w.txt`, `${dir}/moved.txt`);
    await eventually(`rename of w.txt to moved.txt (saw ${seen(events)})`, () =>
      find(events, 'w.txt', FilesystemEventType.RENAME) && find(events, 'moved.txt', FilesystemEventType.CREATE));

    await sbx.files.remove(`${dir}/moved.txt`);
    await eventually(`remove of moved.txt (saw ${seen(events)})`, () => find(events, 'moved.txt', FilesystemEventType.REMOVE));

    assert.equal(events.filter((e) => e.name.startsWith('sub/')).length, 0, `a flat watch saw ${seen(events)}`);
    assert.ok(events.every((e) => e.entry === undefined), 'entries come only when asked for');
  } finally {
    await handle.stop();
  }
});

test('a recursive watch with entries follows existing and new subdirectories', async () => {
  const dir = `${root}/recursive`;
  await sbx.files.makeDir(`${dir}/existing`);
  const events = [];
  const handle = await sbx.files.watchDir(dir, (e) => events.push(e), { recursive: true, includeEntry: true });
  try {
    await sbx.files.write(`${dir}/existing/deep.txt`, 'deep');
    const created = await eventually(`create of existing/deep.txt (saw ${seen(events)})`, () =>
      find(events, 'existing/deep.txt', FilesystemEventType.CREATE));
    assert.equal(created.entry?.path, `${dir}/existing/deep.txt`);
    assert.equal(created.entry?.type, 'file');
    assert.equal(created.entry?.name, 'deep.txt');

    await sbx.files.makeDir(`${dir}/fresh/inner`);
    await eventually(`create of fresh and fresh/inner (saw ${seen(events)})`, () =>
      find(events, 'fresh', FilesystemEventType.CREATE) && find(events, 'fresh/inner', FilesystemEventType.CREATE));
    assert.equal(find(events, 'fresh', FilesystemEventType.CREATE).entry?.type, 'dir');

    await sbx.files.write(`${dir}/fresh/inner/f.txt`, 'in a directory made after the watch began');
    const appeared = await eventually(`create or write of fresh/inner/f.txt (saw ${seen(events)})`, () =>
      find(events, 'fresh/inner/f.txt', FilesystemEventType.CREATE) ?? find(events, 'fresh/inner/f.txt', FilesystemEventType.WRITE));
    assert.equal(appeared.entry?.path, `${dir}/fresh/inner/f.txt`);

    await sbx.files.remove(`${dir}/fresh/inner/f.txt`);
    const removed = await eventually(`remove of fresh/inner/f.txt (saw ${seen(events)})`, () =>
      find(events, 'fresh/inner/f.txt', FilesystemEventType.REMOVE));
    assert.equal(removed.entry, undefined, 'a removed file has no entry to describe');
  } finally {
    await handle.stop();
  }
});

test('watching a missing path or a file fails clearly', async () => {
  await assert.rejects(sbx.files.watchDir(`${root}/missing`, () => {}), FileNotFoundError);
  await sbx.files.write(`${root}/plain-file.txt`, 'not a directory');
  await assert.rejects(sbx.files.watchDir(`${root}/plain-file.txt`, () => {}), InvalidArgumentError);
});
