// Envd against connect-node, a real Connect client, in both of its formats (JSON and binary protobuf).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { EventType, FileType, Filesystem } from "./gen/filesystem_pb.js";

const envdDll = process.env.ENVD_DLL ?? new URL("../../src/Envd.Web/bin/Release/net10.0/envd.dll", import.meta.url).pathname;
let daemon;
let baseUrl;
let root;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHealth(deadline) {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("envd did not become healthy");
}

before(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  daemon = spawn("dotnet", [envdDll, "-isnotfc", "-port", String(port)], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForHealth(Date.now() + 30_000);
  root = await mkdtemp(join(tmpdir(), "envd-interop-"));
});

after(async () => {
  daemon?.kill("SIGTERM");
  await new Promise((resolve) => (daemon?.exitCode !== null ? resolve() : daemon.once("exit", resolve)));
  await rm(root, { recursive: true, force: true });
});

async function connectCode(promise) {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error).code;
  }
  assert.fail("the call should have failed");
}

for (const binary of [false, true]) {
  describe(binary ? "binary protobuf" : "JSON", () => {
    const fs = () => createClient(Filesystem, createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: binary }));
    const dir = () => join(root, binary ? "binary" : "json");

    test("MakeDir, Stat, ListDir, Move and Remove round-trip", async () => {
      const made = await fs().makeDir({ path: join(dir(), "a", "b") });
      assert.equal(made.entry.type, FileType.DIRECTORY);
      assert.equal(await connectCode(fs().makeDir({ path: join(dir(), "a", "b") })), Code.AlreadyExists);

      await writeFile(join(dir(), "a", "f.txt"), "hello");
      const stat = await fs().stat({ path: join(dir(), "a", "f.txt") });
      assert.equal(stat.entry.name, "f.txt");
      assert.equal(stat.entry.size, 5n);
      assert.equal(stat.entry.permissions, "-rw-r--r--");
      assert.ok(stat.entry.modifiedTime.seconds > 0n);

      const listed = await fs().listDir({ path: join(dir(), "a"), depth: 2 });
      assert.deepEqual(listed.entries.map((e) => e.name), ["b", "f.txt"]);

      const moved = await fs().move({ source: join(dir(), "a", "f.txt"), destination: join(dir(), "c", "g.txt") });
      assert.equal(moved.entry.path, join(dir(), "c", "g.txt"));
      assert.equal(await connectCode(fs().stat({ path: join(dir(), "a", "f.txt") })), Code.NotFound);

      await fs().remove({ path: dir() });
      await fs().remove({ path: dir() });
      assert.equal(await connectCode(fs().stat({ path: dir() })), Code.NotFound);
    });

    test("WatchDir streams start, then events, until the client aborts", async () => {
      const watched = join(dir(), "watched");
      await mkdir(watched, { recursive: true });
      const abort = new AbortController();
      const stream = fs().watchDir({ path: watched, includeEntry: true }, { signal: abort.signal, headers: { "keepalive-ping-interval": "50" } });
      const events = stream[Symbol.asyncIterator]();

      assert.equal((await events.next()).value.event.case, "start");
      await writeFile(join(watched, "w.txt"), "x");
      const created = (await events.next()).value.event;
      assert.equal(created.case, "filesystem");
      assert.equal(created.value.name, "w.txt");
      assert.equal(created.value.type, EventType.CREATE);
      assert.equal(created.value.entry.name, "w.txt");
      abort.abort();
      assert.equal(await connectCode((async () => { while (!(await events.next()).done); })()), Code.Canceled);
    });

    test("WatchDir errors arrive as Connect errors", async () => {
      const stream = fs().watchDir({ path: join(dir(), "missing") });
      assert.equal(await connectCode((async () => { for await (const _ of stream); })()), Code.NotFound);
    });

    test("An unknown Basic-auth user is unauthenticated, unary and streaming", async () => {
      const headers = { authorization: `Basic ${Buffer.from("no-such-user-here:").toString("base64")}` };
      assert.equal(await connectCode(fs().stat({ path: "/" }, { headers })), Code.Unauthenticated);
      const stream = fs().watchDir({ path: "/tmp" }, { headers });
      assert.equal(await connectCode((async () => { for await (const _ of stream); })()), Code.Unauthenticated);
    });

    test("Polling watchers hand over events once", async () => {
      const watched = join(dir(), "polled");
      await mkdir(watched, { recursive: true });
      const { watcherId } = await fs().createWatcher({ path: watched });
      await mkdir(join(watched, "sub"));
      let events = [];
      for (let i = 0; i < 100 && events.length === 0; i++) {
        events = (await fs().getWatcherEvents({ watcherId })).events;
        if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(events.map((e) => [e.name, e.type]), [["sub", EventType.CREATE]]);
      await fs().removeWatcher({ watcherId });
      assert.equal(await connectCode(fs().getWatcherEvents({ watcherId })), Code.NotFound);
    });
  });
}
