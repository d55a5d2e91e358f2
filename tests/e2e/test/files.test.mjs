// sandbox.files as an SDK user drives it: uploads and downloads in every form the SDK offers, and the filesystem RPCs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, rmSync, symlinkSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AuthenticationError, FileNotFoundError, InvalidArgumentError } from 'e2b';
import { createSandbox, SANDBOX_HOME, SANDBOX_USER, startEnvd } from '../lib/envd.mjs';
import { readAll, scratchPath, streamOf } from '../lib/support.mjs';

const root = scratchPath('files');
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

const summary = (info) => ({ path: info.path, name: info.name, type: info.type });
const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

describe('files.write', () => {
  test('writes one file, creating the missing directories, owned by the sandbox user', async () => {
    const path = `${root}/write/one/hello.txt`;
    const info = await sbx.files.write(path, 'Hello, Envd!\n');

    assert.deepEqual(summary(info), { path, name: 'hello.txt', type: 'file' });
    assert.equal(await sbx.files.read(path), 'Hello, Envd!\n');
    const file = await sbx.files.getInfo(path);
    const dir = await sbx.files.getInfo(`${root}/write/one`);
    assert.equal(file.owner, SANDBOX_USER);
    assert.equal(dir.owner, SANDBOX_USER);
    assert.equal(dir.type, 'dir');
  });

  test('overwrites an existing file', async () => {
    const path = `${root}/write/overwrite.txt`;
    await sbx.files.write(path, 'a much longer first version');
    await sbx.files.write(path, 'short');

    assert.equal(await sbx.files.read(path), 'short');
  });

  test('overwriting keeps the mode of the file', async () => {
    const path = `${root}/write/script.sh`;
    await sbx.files.write(path, '#!/bin/sh\necho v1\n');
    chmodSync(path, 0o755);
    await sbx.files.write(path, '#!/bin/sh\necho v2\n');

    const info = await sbx.files.getInfo(path);
    assert.equal(info.mode, 0o755);
    assert.equal(await sbx.files.read(path), '#!/bin/sh\necho v2\n');
  });

  test('writing to a symlink writes the file it points to and keeps the link', async () => {
    const target = `${root}/write/link-target.txt`;
    const link = `${root}/write/link.txt`;
    await sbx.files.write(target, 'before');
    symlinkSync(target, link);
    await sbx.files.write(link, 'through the link');

    assert.equal(await sbx.files.read(target), 'through the link');
    assert.equal(lstatSync(link).isSymbolicLink(), true);
  });

  test('writes many files in one call, at the full paths given, answering in order', async () => {
    const entries = [
      { path: `${root}/many/a.txt`, data: 'alpha' },
      { path: `${root}/many/nested/deeper/b.bin`, data: new Uint8Array([0, 1, 2, 254, 255]) },
      { path: `${root}/many/c.txt`, data: new Blob(['gamma']) },
    ];
    const infos = await sbx.files.write(entries);

    assert.deepEqual(
      infos.map(summary),
      entries.map((e) => ({ path: e.path, name: e.path.split('/').pop(), type: 'file' })),
    );
    assert.equal(await sbx.files.read(entries[0].path), 'alpha');
    assert.deepEqual(await sbx.files.read(entries[1].path, { format: 'bytes' }), entries[1].data);
    assert.equal(await sbx.files.read(entries[2].path), 'gamma');
  });

  test('writeFiles with useOctetStream sends each file on its own and writes them all', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ path: `${root}/octet/f${i}.txt`, data: `file number ${i}` }));
    const infos = await sbx.files.writeFiles(entries, { useOctetStream: true });

    assert.deepEqual(infos.map(summary).sort(byPath), entries.map((e) => ({ path: e.path, name: e.path.split('/').pop(), type: 'file' })));
    for (const entry of entries) {
      assert.equal(await sbx.files.read(entry.path), entry.data);
    }
  });

  test('streams an upload from a ReadableStream', async () => {
    const path = `${root}/stream/upload.bin`;
    const data = randomBytes(8 * 1024 * 1024 + 123);
    const info = await sbx.files.write(path, streamOf(data));

    assert.deepEqual(summary(info), { path, name: 'upload.bin', type: 'file' });
    const back = Buffer.from(await sbx.files.read(path, { format: 'bytes' }));
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), 'the streamed upload reads back byte for byte');
  });

  test('gzip uploads are stored decompressed', async () => {
    const path = `${root}/gzip/up.txt`;
    const content = 'compress me, please. '.repeat(20_000);
    await sbx.files.write(path, content, { gzip: true });

    assert.equal(await sbx.files.read(path), content);
    assert.equal((await sbx.files.getInfo(path)).size, Buffer.byteLength(content));
  });

  test('metadata is stored with the file, keys lower-cased, and replaced by the next write', async () => {
    const path = `${root}/meta/tagged.txt`;
    const info = await sbx.files.write(path, 'x', { metadata: { author: 'demo', Purpose: 'Trace' } });

    assert.deepEqual(info.metadata, { author: 'demo', purpose: 'Trace' });
    assert.deepEqual((await sbx.files.getInfo(path)).metadata, { author: 'demo', purpose: 'Trace' });
    const listed = (await sbx.files.list(`${root}/meta`)).find((e) => e.path === path);
    assert.deepEqual(listed.metadata, { author: 'demo', purpose: 'Trace' });

    const octet = await sbx.files.write(path, 'y', { useOctetStream: true, metadata: { stage: 'two' } });
    assert.deepEqual(octet.metadata, { stage: 'two' });
    assert.deepEqual((await sbx.files.getInfo(path)).metadata, { stage: 'two' });

    await sbx.files.write(path, 'z');
    assert.equal((await sbx.files.getInfo(path)).metadata, undefined);
  });

  test('relative paths resolve against the home of the sandbox user', async () => {
    const name = `envd-e2e-relative-${randomBytes(4).toString('hex')}.txt`;
    try {
      const info = await sbx.files.write(name, 'relative');

      assert.equal(info.path, `${SANDBOX_HOME}/${name}`);
      assert.equal(await sbx.files.read(name), 'relative');
      assert.equal(await sbx.files.read(`${SANDBOX_HOME}/${name}`), 'relative');
      assert.equal((await sbx.files.getInfo(name)).path, `${SANDBOX_HOME}/${name}`);
    } finally {
      await sbx.files.remove(name);
    }

    assert.equal(await sbx.files.exists(`${SANDBOX_HOME}/${name}`), false);
  });

  test('writes and reads as another user when asked', async () => {
    const path = `${root}/as-root/owned.txt`;
    await sbx.files.write(path, 'by root', { user: 'root' });

    assert.equal((await sbx.files.getInfo(path)).owner, 'root');
    assert.equal(await sbx.files.read(path, { user: 'root' }), 'by root');
    const name = `envd-e2e-root-${randomBytes(4).toString('hex')}.txt`;
    try {
      assert.equal((await sbx.files.write(name, 'root home', { user: 'root' })).path, `/root/${name}`);
      assert.equal(await sbx.files.read(`/root/${name}`), 'root home');
    } finally {
      await sbx.files.remove(`/root/${name}`);
    }
  });

  test('~ is the home of the acting user, and an unknown user is refused', async () => {
    const name = `envd-e2e-tilde-${randomBytes(4).toString('hex')}.txt`;
    try {
      assert.equal((await sbx.files.write(`~/${name}`, 'tilde')).path, `${SANDBOX_HOME}/${name}`);
      assert.equal(await sbx.files.read(`${SANDBOX_HOME}/${name}`), 'tilde');
    } finally {
      await sbx.files.remove(`${SANDBOX_HOME}/${name}`);
    }

    await assert.rejects(sbx.files.write(`${root}/ghost.txt`, 'x', { user: 'no-such-user-here' }), AuthenticationError);
    await assert.rejects(sbx.files.list(root, { user: 'no-such-user-here' }), AuthenticationError);
    assert.equal(await sbx.files.exists(`${root}/ghost.txt`), false);
  });

  test('names with spaces, UTF-8 and URL-special characters arrive intact', async () => {
    const dir = `${root}/names`;
    const names = ['space name.txt', 'plus+and&amp.txt', 'percent 100%.txt', 'ünïcødé ✓.txt', 'quote"d.txt', "apo'strophe.txt"];
    for (const name of names) {
      const info = await sbx.files.write(`${dir}/one/${name}`, name);
      assert.equal(info.path, `${dir}/one/${name}`);
      assert.equal(await sbx.files.read(`${dir}/one/${name}`), name);
    }

    assert.deepEqual((await sbx.files.list(`${dir}/one`)).map((e) => e.name).sort(), [...names].sort());

    // In one multipart body the names travel in the parts' filename parameters instead of the query. A '"' is left
    // out there: form-data escapes it as %22, which no server can tell from a name that really contains "%22".
    const entries = names.filter((name) => !name.includes('"')).map((name) => ({ path: `${dir}/many/${name}`, data: name }));
    const infos = await sbx.files.write(entries);
    assert.deepEqual(infos.map((i) => i.path), entries.map((e) => e.path));
    for (const entry of entries) {
      assert.equal(await sbx.files.read(entry.path), entry.data);
    }
  });
});

describe('files.read', () => {
  test('reads text as UTF-8', async () => {
    const path = `${root}/read/text.txt`;
    await sbx.files.write(path, 'héllo wörld ✓\nsecond line\n');

    assert.equal(await sbx.files.read(path), 'héllo wörld ✓\nsecond line\n');
    assert.equal(await sbx.files.read(path, { format: 'text' }), 'héllo wörld ✓\nsecond line\n');
  });

  test('reads every byte value back as bytes and as a blob', async () => {
    const path = `${root}/read/all-bytes.bin`;
    const data = Uint8Array.from({ length: 256 }, (_, i) => i);
    await sbx.files.write(path, data);

    assert.deepEqual(await sbx.files.read(path, { format: 'bytes' }), data);
    const blob = await sbx.files.read(path, { format: 'blob' });
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), data);
  });

  test('reads a large file as a stream', async () => {
    const path = `${root}/read/large.bin`;
    const data = randomBytes(3 * 1024 * 1024 + 7);
    await sbx.files.write(path, data);

    const back = await readAll(await sbx.files.read(path, { format: 'stream' }));
    assert.equal(back.length, data.length);
    assert.ok(back.equals(data), 'the stream reads back byte for byte');
  });

  test('gzip reads decode to the same content, compressed on the wire', async () => {
    const path = `${root}/read/gzip.txt`;
    const content = 'the same line again and again\n'.repeat(10_000);
    await sbx.files.write(path, content);

    assert.equal(await sbx.files.read(path, { gzip: true }), content);
    assert.equal(Buffer.from(await sbx.files.read(path, { format: 'bytes', gzip: true })).toString(), content);

    const res = await fetch(await sbx.downloadUrl(path), { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(await res.text(), content);
  });

  test('an empty file reads as empty text and empty bytes', async () => {
    const path = `${root}/read/empty.txt`;
    await sbx.files.write(path, '');

    assert.equal(await sbx.files.read(path), '');
    assert.equal((await sbx.files.read(path, { format: 'bytes' })).length, 0);
  });

  test('a missing file is a FileNotFoundError, a directory an InvalidArgumentError', async () => {
    await assert.rejects(sbx.files.read(`${root}/read/missing.txt`), FileNotFoundError);
    await sbx.files.makeDir(`${root}/read/a-dir`);
    await assert.rejects(sbx.files.read(`${root}/read/a-dir`), InvalidArgumentError);
  });
});

describe('directories and entries', () => {
  test('list shows the direct children, and deeper levels with depth', async () => {
    const dir = `${root}/tree`;
    await sbx.files.write([
      { path: `${dir}/a.txt`, data: 'a' },
      { path: `${dir}/sub/b.txt`, data: 'bb' },
      { path: `${dir}/sub/deeper/c.txt`, data: 'ccc' },
    ]);
    await sbx.files.makeDir(`${dir}/empty`);
    const shape = (entries) => entries.map((e) => ({ name: e.name, type: e.type, path: e.path })).sort(byPath);

    assert.deepEqual(shape(await sbx.files.list(dir)), [
      { name: 'a.txt', type: 'file', path: `${dir}/a.txt` },
      { name: 'empty', type: 'dir', path: `${dir}/empty` },
      { name: 'sub', type: 'dir', path: `${dir}/sub` },
    ]);
    assert.deepEqual(shape(await sbx.files.list(dir, { depth: 2 })), [
      { name: 'a.txt', type: 'file', path: `${dir}/a.txt` },
      { name: 'empty', type: 'dir', path: `${dir}/empty` },
      { name: 'sub', type: 'dir', path: `${dir}/sub` },
      { name: 'b.txt', type: 'file', path: `${dir}/sub/b.txt` },
      { name: 'deeper', type: 'dir', path: `${dir}/sub/deeper` },
    ].sort(byPath));
    const all = await sbx.files.list(dir, { depth: 3 });
    assert.deepEqual(shape(all).map((e) => e.path), [
      `${dir}/a.txt`, `${dir}/empty`, `${dir}/sub`, `${dir}/sub/b.txt`, `${dir}/sub/deeper`, `${dir}/sub/deeper/c.txt`,
    ]);
    const c = all.find((e) => e.name === 'c.txt');
    assert.equal(c.size, 3);
    assert.equal(c.owner, SANDBOX_USER);
  });

  test('list of a missing path or a file fails clearly', async () => {
    await assert.rejects(sbx.files.list(`${root}/no-such-dir`), FileNotFoundError);
    await sbx.files.write(`${root}/list-file.txt`, 'not a dir');
    await assert.rejects(sbx.files.list(`${root}/list-file.txt`), InvalidArgumentError);
  });

  test('makeDir creates the whole path once, then reports that it exists', async () => {
    const dir = `${root}/made/deep/er/dir`;

    assert.equal(await sbx.files.makeDir(dir), true);
    assert.equal(await sbx.files.makeDir(dir), false);
    const info = await sbx.files.getInfo(dir);
    assert.equal(info.type, 'dir');
    assert.equal(info.owner, SANDBOX_USER);
    assert.equal((await sbx.files.getInfo(`${root}/made/deep`)).owner, SANDBOX_USER);

    await sbx.files.write(`${root}/made/file.txt`, 'f');
    await assert.rejects(sbx.files.makeDir(`${root}/made/file.txt`), InvalidArgumentError);
  });

  test('exists tells files and directories from missing paths', async () => {
    await sbx.files.write(`${root}/exists/here.txt`, 'here');

    assert.equal(await sbx.files.exists(`${root}/exists/here.txt`), true);
    assert.equal(await sbx.files.exists(`${root}/exists`), true);
    assert.equal(await sbx.files.exists(`${root}/exists/gone.txt`), false);
  });

  test('getInfo describes files, directories and symlinks', async () => {
    const path = `${root}/info/data.txt`;
    const before = Date.now();
    await sbx.files.write(path, 'hello');

    const file = await sbx.files.getInfo(path);
    assert.deepEqual(
      { name: file.name, type: file.type, path: file.path, size: file.size, mode: file.mode, permissions: file.permissions },
      { name: 'data.txt', type: 'file', path, size: 5, mode: 0o644, permissions: '-rw-r--r--' },
    );
    assert.equal(file.owner, SANDBOX_USER);
    assert.equal(file.group, SANDBOX_USER);
    assert.ok(file.modifiedTime instanceof Date);
    assert.ok(Math.abs(file.modifiedTime.getTime() - before) < 60_000, `mtime ${file.modifiedTime.toISOString()} is recent`);
    assert.equal(file.symlinkTarget, undefined);

    const dir = await sbx.files.getInfo(`${root}/info`);
    assert.deepEqual(
      { name: dir.name, type: dir.type, mode: dir.mode, permissions: dir.permissions },
      { name: 'info', type: 'dir', mode: 0o755, permissions: 'drwxr-xr-x' },
    );

    symlinkSync(path, `${root}/info/link`);
    const link = await sbx.files.getInfo(`${root}/info/link`);
    assert.deepEqual(
      { name: link.name, path: link.path, type: link.type, symlinkTarget: link.symlinkTarget },
      { name: 'link', path: `${root}/info/link`, type: 'file', symlinkTarget: path },
    );

    await assert.rejects(sbx.files.getInfo(`${root}/info/missing`), FileNotFoundError);
  });

  test('rename moves files and directories, creating the destination directory', async () => {
    const dir = `${root}/rename`;
    await sbx.files.write(`${dir}/old.txt`, 'moving');

    const moved = await sbx.files.rename(`${dir}/old.txt`, `${dir}/new/place/renamed.txt`);
    assert.deepEqual(summary(moved), { path: `${dir}/new/place/renamed.txt`, name: 'renamed.txt', type: 'file' });
    assert.equal(await sbx.files.exists(`${dir}/old.txt`), false);
    assert.equal(await sbx.files.read(`${dir}/new/place/renamed.txt`), 'moving');

    const movedDir = await sbx.files.rename(`${dir}/new`, `${dir}/newer`);
    assert.equal(movedDir.type, 'dir');
    assert.equal(await sbx.files.read(`${dir}/newer/place/renamed.txt`), 'moving');

    await sbx.files.write(`${dir}/other.txt`, 'replaces');
    await sbx.files.rename(`${dir}/other.txt`, `${dir}/newer/place/renamed.txt`);
    assert.equal(await sbx.files.read(`${dir}/newer/place/renamed.txt`), 'replaces');

    await assert.rejects(sbx.files.rename(`${dir}/missing.txt`, `${dir}/x.txt`), FileNotFoundError);
  });

  test('remove deletes files and whole trees, and a missing path is not an error', async () => {
    const dir = `${root}/remove`;
    await sbx.files.write([
      { path: `${dir}/file.txt`, data: 'f' },
      { path: `${dir}/tree/a/b/c.txt`, data: 'c' },
    ]);

    await sbx.files.remove(`${dir}/file.txt`);
    assert.equal(await sbx.files.exists(`${dir}/file.txt`), false);
    await sbx.files.remove(`${dir}/tree`);
    assert.equal(await sbx.files.exists(`${dir}/tree`), false);
    await sbx.files.remove(`${dir}/tree`);
    assert.equal(await sbx.files.exists(dir), true);
  });
});
