// A sandbox secured with an envd access token: the SDK sends the token itself, and signed URLs let plain HTTP clients
// upload and download without it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { AuthenticationError } from 'e2b';
import { createSandbox, securedSandbox, startEnvd } from '../lib/envd.mjs';
import { scratchPath } from '../lib/support.mjs';

const token = `e2e-token-${randomBytes(12).toString('hex')}`;
const root = scratchPath('signed');
let envd;
let sbx;

before(async () => {
  envd = await startEnvd({ accessToken: token });
  sbx = securedSandbox(token);
});

after(async () => {
  await envd?.stop();
  rmSync(root, { recursive: true, force: true });
});

const upload = (url, content) => {
  const form = new FormData();
  form.append('file', new Blob([content]), 'upload.txt');
  return fetch(url, { method: 'POST', body: form });
};

test('with the access token the SDK works as usual', async () => {
  const path = `${root}/token/hello.txt`;
  await sbx.files.write(path, 'secured');

  assert.equal(await sbx.files.read(path), 'secured');
  assert.equal(await sbx.files.exists(path), true);
  assert.equal((await sbx.commands.run(`cat ${path}`)).stdout, 'secured');
  assert.equal(await sbx.isRunning(), true);
});

test('without the access token envd refuses everything but health', async () => {
  const anonymous = await createSandbox();
  const path = `${root}/token/refused.txt`;
  await sbx.files.write(path, 'not for everyone');

  await assert.rejects(anonymous.files.read(path), AuthenticationError);
  await assert.rejects(anonymous.files.write(`${root}/token/intruder.txt`, 'x'), AuthenticationError);
  await assert.rejects(anonymous.files.list(root), AuthenticationError);
  await assert.rejects(anonymous.commands.run('echo nope'), AuthenticationError);
  assert.equal(await sbx.files.exists(`${root}/token/intruder.txt`), false);
  assert.equal(await anonymous.isRunning(), true);
});

test('a signed upload URL takes a multipart POST without the token', async () => {
  const path = `${root}/url/uploaded.txt`;
  const res = await upload(await sbx.uploadUrl(path), 'through a signed url');

  assert.equal(res.status, 200);
  const [entry] = await res.json();
  assert.equal(entry.path, path);
  assert.equal(await sbx.files.read(path), 'through a signed url');
  assert.equal((await sbx.files.getInfo(path)).owner, 'user');
});

test('a signed download URL serves the file without the token', async () => {
  const path = `${root}/url/download.txt`;
  await sbx.files.write(path, 'download me');

  const res = await fetch(await sbx.downloadUrl(path));
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'download me');
});

test('signed URLs can act for another user', async () => {
  const path = `${root}/url/root-owned.txt`;
  const res = await upload(await sbx.uploadUrl(path, { user: 'root' }), 'owned by root');

  assert.equal(res.status, 200);
  assert.equal((await sbx.files.getInfo(path)).owner, 'root');
  const down = await fetch(await sbx.downloadUrl(path, { user: 'root' }));
  assert.equal(await down.text(), 'owned by root');
});

test('an expiring signature works until it expires', async () => {
  const path = `${root}/url/expiring.txt`;
  await sbx.files.write(path, 'for a while');

  const fresh = await fetch(await sbx.downloadUrl(path, { useSignatureExpiration: 60 }));
  assert.equal(fresh.status, 200);
  assert.equal(await fresh.text(), 'for a while');
  const expired = await fetch(await sbx.downloadUrl(path, { useSignatureExpiration: -10 }));
  assert.equal(expired.status, 401);
  const expiredUpload = await upload(await sbx.uploadUrl(path, { useSignatureExpiration: -10 }), 'too late');
  assert.equal(expiredUpload.status, 401);
  assert.equal(await sbx.files.read(path), 'for a while');
});

test('a signature opens only the path and operation it was made for', async () => {
  const path = `${root}/url/guarded.txt`;
  await sbx.files.write(path, 'guarded');
  await sbx.files.write(`${root}/url/other.txt`, 'other');
  const downloadUrl = new URL(await sbx.downloadUrl(path));

  const otherPath = new URL(downloadUrl);
  otherPath.searchParams.set('path', `${root}/url/other.txt`);
  assert.equal((await fetch(otherPath)).status, 401);

  const asUpload = await upload(downloadUrl, 'overwrite attempt');
  assert.equal(asUpload.status, 401);
  assert.equal(await sbx.files.read(path), 'guarded');

  const tampered = new URL(downloadUrl);
  tampered.searchParams.set('signature', `${downloadUrl.searchParams.get('signature').slice(0, -2)}xx`);
  assert.equal((await fetch(tampered)).status, 401);

  const unsigned = new URL(downloadUrl);
  unsigned.searchParams.delete('signature');
  const refused = await fetch(unsigned);
  assert.equal(refused.status, 401);
  assert.equal((await refused.json()).code, 401);
});
