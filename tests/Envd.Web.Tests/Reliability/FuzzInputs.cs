using System.Buffers.Binary;
using System.Text;
using CsCheck;

namespace Envd.Web.Tests.Reliability;

/// <summary>One HTTP request to throw at the daemon, and how it was made (for the failure report).</summary>
public sealed record FuzzRequest(string Method, byte[] Target, IReadOnlyList<(string Name, byte[] Value)> Headers, byte[] Body, string Shape)
{
    public byte[] Wire => RawHttp.Request(Method, Target, Headers, Body);

    public string Describe() =>
        $"{Shape}: {Method} {Printable(Target)}\n"
        + string.Concat(Headers.Select(h => $"{h.Name}: {Printable(h.Value)}\n"))
        + $"body ({Body.Length} bytes): {Printable(Body.AsSpan(0, Math.Min(Body.Length, 300)).ToArray())}";

    private static string Printable(byte[] bytes) =>
        string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}"));
}

/// <summary>
/// Generators of hostile input: paths with NUL, <c>..</c>, <c>~user</c>, invalid UTF-8 and lengths past PATH_MAX; JSON
/// that is almost right; Basic auth that is not; Connect envelopes that lie about their size.
/// </summary>
public static class FuzzInputs
{
    /// <summary>Only unknown users and harmless requests: nothing here may change the machine outside a temp dir.</summary>
    public static readonly string[] Users = ["root", "envdtest", "no-such-user", "", "user", "root:", "../root", "root\0", "nobody"];

    private static readonly byte[][] PathPieces =
    [
        [], "/"u8.ToArray(), "//"u8.ToArray(), "."u8.ToArray(), ".."u8.ToArray(), "../.."u8.ToArray(), "~"u8.ToArray(),
        "~root"u8.ToArray(), "~no-such-user"u8.ToArray(), "\0"u8.ToArray(), "a\0b"u8.ToArray(), "tmp"u8.ToArray(),
        "etc"u8.ToArray(), "proc"u8.ToArray(), "home"u8.ToArray(), "envdtest"u8.ToArray(), " "u8.ToArray(),
        "a b"u8.ToArray(), "\\"u8.ToArray(), "\""u8.ToArray(), "'"u8.ToArray(), "%"u8.ToArray(), "%00"u8.ToArray(),
        "%2e%2e"u8.ToArray(), "%2F"u8.ToArray(), "?"u8.ToArray(), "#"u8.ToArray(), ":"u8.ToArray(), "*"u8.ToArray(),
        "\t"u8.ToArray(), [0x7f], [0x01], [0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
        [0xe2, 0x82], "é"u8.ToArray(), "😀"u8.ToArray(), "\u202e"u8.ToArray(), "ﬁ"u8.ToArray(),
    ];

    private static readonly Gen<byte[]> Word = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789._-"].Array[1, 12].Select(c => Encoding.ASCII.GetBytes(c));

    private static readonly Gen<byte[]> Segment = Gen.Frequency(
        (5, Gen.OneOf(PathPieces)),
        (3, Word),
        (1, Gen.Byte.Array[1, 8]));

    /// <summary>Paths: absolute or relative, built from awkward pieces, or far past NAME_MAX and PATH_MAX, or noise.</summary>
    public static readonly Gen<byte[]> Path = Gen.Frequency(
        (8, Gen.Select(Gen.Bool, Segment.Array[0, 8], Gen.Bool, (absolute, parts, slashes) =>
            Concat((absolute ? "/"u8.ToArray() : []), Join(parts, slashes ? "/"u8.ToArray() : [])))),
        (1, Gen.Select(Gen.OneOf("a"u8.ToArray(), "../"u8.ToArray(), "a/"u8.ToArray(), "é"u8.ToArray()), Gen.Int[100, 6000], Repeat)),
        (1, Gen.Byte.Array[0, 48]));

    /// <summary>A JSON string literal of <paramref name="content"/>: escaped to valid JSON, or with the raw bytes left in.</summary>
    public static Gen<byte[]> JsonString(Gen<byte[]> content) =>
        Gen.Select(content, Gen.Int[0, 3], (bytes, mode) => mode switch
        {
            0 => Escaped(bytes),
            1 => Concat("\""u8.ToArray(), bytes.Where(b => b is not (byte)'"' and not (byte)'\\').ToArray(), "\""u8.ToArray()),
            2 => Encoding.UTF8.GetBytes("\"" + Encoding.UTF8.GetString(Escaped(bytes)).Trim('"') + "\\ud800\""),
            _ => Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Encoding.UTF8.GetString(bytes))),
        });

    private static readonly Gen<byte[]> JsonScalar = Gen.Frequency(
        (4, JsonString(Path)),
        (2, Gen.OneOf("0", "-1", "1.5", "1e400", "18446744073709551616", "-0", "true", "false", "null", "[]", "{}", "\"\"", "NaN", "0x10")
            .Select(Encoding.UTF8.GetBytes)));

    public static readonly Gen<byte[]> JsonValue = Gen.Frequency(
        (6, JsonScalar),
        (1, JsonScalar.Array[0, 4].Select(items => Concat("["u8.ToArray(), Join(items, ","u8.ToArray()), "]"u8.ToArray()))),
        (1, Gen.Select(JsonString(Word), JsonScalar, (k, v) => Concat("{"u8.ToArray(), k, ":"u8.ToArray(), v, "}"u8.ToArray()))));

    private static readonly Gen<byte[]> Timestamp = Gen.Frequency(
        (3, Gen.OneOf("2026-01-01T00:00:00Z", "1970-01-01T00:00:00.123456789+00:00", "9999-12-31T23:59:59.9999999999Z",
            "0001-01-01T00:00:00Z", "2026-13-40T25:61:61Z", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "yesterday")
            .Select(t => Encoding.UTF8.GetBytes("\"" + t + "\""))),
        (1, JsonValue));

    private static readonly Gen<byte[]> EnvVars = Gen.Frequency(
        (3, Gen.Select(JsonString(Gen.Frequency((3, Word), (1, Path))), JsonString(Path), (k, v) => Concat(k, ":"u8.ToArray(), v)).Array[0, 5]
            .Select(pairs => Concat("{"u8.ToArray(), Join(pairs, ","u8.ToArray()), "}"u8.ToArray()))),
        (1, JsonValue));

    private static readonly Gen<byte[]> VolumeMounts = Gen.Frequency(
        (2, Gen.Select(JsonValue, JsonValue, (target, path) => Concat("[{\"nfs_target\":"u8.ToArray(), target, ",\"path\":"u8.ToArray(), path, "}]"u8.ToArray()))),
        (1, JsonValue));

    /// <summary>The token the /init cases present: once one sets it, only bodies that carry it get past validation.</summary>
    public const string InitToken = "fuzz-token";

    private static readonly Gen<byte[]> AccessToken = Gen.Frequency(
        (8, Gen.Const(Encoding.UTF8.GetBytes("\"" + InitToken + "\""))),
        (1, Gen.OneOf("\"\"", "\"fuzz\\u002dtoken\"", "\"a\\\\b\"", "1", "null", "{}", "[\"fuzz-token\"]").Select(Encoding.UTF8.GetBytes)));

    private static readonly (string Name, Gen<byte[]> Value)[] InitFields =
    [
        ("timestamp", Timestamp),
        ("envVars", EnvVars),
        ("defaultUser", Gen.Frequency((2, Gen.OneOf(Users).Select(u => Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(u)))), (1, JsonValue))),
        ("defaultWorkdir", Gen.Frequency((2, JsonString(Path)), (1, JsonValue))),
        ("hyperloopIP", Gen.Frequency((2, Gen.OneOf("\"127.0.0.1\"", "\"::1\"", "\"300.1.1.1\"", "\"\"", "\"fe80::1%eth0\"").Select(Encoding.UTF8.GetBytes)), (1, JsonValue))),
        ("lifecycleID", JsonValue),
        ("volumeMounts", VolumeMounts),
        ("caBundle", Gen.Frequency((1, Gen.Const("\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\""u8.ToArray())), (2, JsonValue))),
        ("unknownField", JsonValue),
    ];

    /// <summary>
    /// /init bodies: objects with any subset of the fields, each value right, wrong-typed or malformed, nearly always
    /// with the one token (so later cases still reach the actor); then maybe damaged.
    /// </summary>
    public static readonly Gen<byte[]> InitBody = Gen.Frequency(
        (8, Gen.Select(Gen.Int[0, 9], AccessToken, Gen.Int[0, (1 << InitFields.Length) - 1], (withToken, token, mask) => (withToken, token, mask))
            .SelectMany(choice => InitFields
                .Where((_, i) => (choice.mask & (1 << i)) != 0)
                .Select(f => f.Value.Select(v => Concat(Encoding.UTF8.GetBytes("\"" + f.Name + "\":"), v)))
                .Aggregate(
                    Gen.Const(choice.withToken > 0 ? new List<byte[]> { Concat("\"accessToken\":"u8.ToArray(), choice.token) } : []),
                    (acc, field) => Gen.Select(acc, field, (list, v) => new List<byte[]>(list) { v })))
            .Select(fields => Concat("{"u8.ToArray(), Join(fields, ","u8.ToArray()), "}"u8.ToArray()))
            .SelectMany(Damage)),
        (1, Gen.OneOf(""u8.ToArray(), "null"u8.ToArray(), "[]"u8.ToArray(), "\"x\""u8.ToArray(), " \n"u8.ToArray(), "{"u8.ToArray(), "{}}"u8.ToArray())),
        (1, Gen.Byte.Array[0, 64]));

    /// <summary>Leaves the bytes alone most of the time; else cuts them short, overwrites one, or inserts one.</summary>
    public static Gen<byte[]> Damage(byte[] bytes) =>
        bytes.Length == 0
            ? Gen.Const(bytes)
            : Gen.Select(Gen.Int[0, 9], Gen.Int[0, bytes.Length - 1], Gen.OneOf<byte>(0x00, 0xff, (byte)'"', (byte)'{', (byte)'\\', 0x80), (how, at, b) => how switch
            {
                0 => bytes[..at],
                1 => [.. bytes[..at], b, .. bytes[(at + 1)..]],
                2 => [.. bytes[..at], b, .. bytes[at..]],
                _ => bytes,
            });

    /// <summary>Authorization headers: real and unknown users, broken base64, other schemes, odd spacing, huge values.</summary>
    public static readonly Gen<byte[]?> Authorization = Gen.Frequency(
        (2, Gen.Const(NoHeader)),
        (4, Gen.Select(Gen.Frequency((3, Gen.OneOf(Users).Select(Encoding.UTF8.GetBytes)), (1, Path)), Gen.Frequency((3, Gen.Const(""u8.ToArray())), (1, Word)), Gen.Bool,
            (user, password, colon) => Maybe(Encoding.ASCII.GetBytes("Basic " + Convert.ToBase64String(colon ? Concat(user, ":"u8.ToArray(), password) : user))))),
        (2, Gen.OneOf("Basic", "Basic ", "Basic !!!!", "Basic cm9vdA", "basic cm9vdDo=", "BASIC   cm9vdDo=", "Bearer x", "Basic cm9vdDo=, Basic eDo=",
            "Digest username=\"root\"", "Basic " + new string('A', 20_000), "Basic =", "Basic \t").Select(s => Maybe(Encoding.ASCII.GetBytes(s)))),
        (1, Gen.Byte.Array[0, 24].Select(b => Maybe(b.Where(x => x is not (byte)'\r' and not (byte)'\n').ToArray()))));

    private static readonly Gen<byte[]> HeaderNoise = Gen.OneOf(
        ""u8.ToArray(), "0"u8.ToArray(), "-1"u8.ToArray(), "100"u8.ToArray(), "abc"u8.ToArray(), "99999999999999999999"u8.ToArray(),
        "1e3"u8.ToArray(), "gzip"u8.ToArray(), "identity"u8.ToArray(), "br, gzip"u8.ToArray(), [0xff, 0xfe]);

    private static readonly string[] RouteNames =
        ["health", "init", "envs", "metrics", "files", "files/compose", "freeze", "unfreeze", "fsfreeze", "fsthaw", "collapse",
         "filesystem.Filesystem/Stat", "filesystem.Filesystem/Nope", "process.Process/List", "filesystem.Filesystem"];

    /// <summary>
    /// Any method on request targets made of route names, awkward path pieces (raw or percent-encoded) and query strings,
    /// with or without a token and Basic auth. POST bodies are small noise: no route here may act on them harmfully.
    /// </summary>
    public static readonly Gen<FuzzRequest> RestRequest =
        Gen.Select(
            Gen.OneOf("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"),
            Gen.Frequency((3, Gen.OneOf(RouteNames).Select(Encoding.UTF8.GetBytes)), (2, Path)),
            Gen.Int[0, 2],
            Gen.Select(Gen.Frequency((3, Word), (2, Path)), Gen.Frequency((3, Word), (3, Path), (1, HeaderNoise)), (k, v) => (k, v)).Array[0, 4],
            Authorization,
            Gen.Frequency((3, Gen.Const(NoHeader)), (1, HeaderNoise.Select(Maybe))),
            Gen.Byte.Array[0, 32])
        .Select((method, path, encoding, query, authorization, token, body) =>
        {
            var target = Concat("/"u8.ToArray(), Encode(path, encoding, keepSlashes: true));
            if (query.Length > 0)
            {
                target = Concat(target, "?"u8.ToArray(), Join(query.Select(q => Concat(Encode(q.k, encoding, false), "="u8.ToArray(), Encode(q.v, encoding, false))), "&"u8.ToArray()));
            }

            var headers = new List<(string, byte[])>();
            if (authorization is not null)
            {
                headers.Add(("Authorization", authorization));
            }

            if (token is not null)
            {
                headers.Add(("X-Access-Token", token));
            }

            if (method is "POST" or "PUT" or "PATCH")
            {
                headers.Add(("Content-Type", "application/json"u8.ToArray()));
            }
            else
            {
                body = [];
            }

            return new FuzzRequest(method, target, headers, body, "rest");
        });

    private static readonly string[] ContentTypes =
        ["application/json", "application/proto", "application/connect+json", "application/connect+proto", "application/json; charset=utf-8",
         "application/grpc", "application/grpc-web+proto", "text/plain", "", "application/connect+json; charset=utf-8", "application/connect+xml",
         "multipart/form-data; boundary=x", "application/JSON"];

    /// <summary>
    /// Where a generated Connect message may go: reads, watcher look-ups and process calls that only act on processes the
    /// daemon started (it starts none here); never a call that changes files or starts a command.
    /// </summary>
    private enum Target
    {
        Stat,
        ListDir,
        GetWatcherEvents,
        RemoveWatcher,
        WatchDir,
        Unknown,
        List,
        Connect,
        Update,
        SendInput,
        SendSignal,
        CloseStdin,
        StreamInput,
    }

    private static bool IsProcess(Target target) => target >= Target.List;

    private static bool IsStreaming(Target target) => target is Target.WatchDir or Target.Connect or Target.StreamInput;

    private static readonly Gen<byte[]> Selector = Gen.Frequency(
        (3, Gen.OneOf("0", "1", "-1", "\"12\"", "4294967296", "1.5", "999999", "null").Select(pid => Encoding.UTF8.GetBytes("{\"pid\":" + pid + "}"))),
        (2, JsonString(Path).Select(tag => Concat("{\"tag\":"u8.ToArray(), tag, "}"u8.ToArray()))),
        (1, Gen.OneOf("{}", "{\"pid\":1,\"tag\":\"x\"}", "[]", "\"pid\"").Select(Encoding.UTF8.GetBytes)),
        (1, JsonValue));

    private static readonly Gen<byte[]> Input = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf("stdin", "pty", "other"), Gen.Frequency((2, Gen.Byte.Array[0, 16].Select(b => Encoding.UTF8.GetBytes("\"" + Convert.ToBase64String(b) + "\""))), (1, JsonValue)),
            (kind, data) => Concat(Encoding.UTF8.GetBytes("{\"" + kind + "\":"), data, "}"u8.ToArray()))),
        (1, JsonValue));

    private static readonly Gen<byte[]> Pty = Gen.Frequency(
        (2, Gen.Select(Gen.OneOf("0", "80", "65535", "65536", "-1", "\"80\"", "4294967296"), Gen.OneOf("0", "24", "-5", "1e3"),
            (cols, rows) => Encoding.UTF8.GetBytes("{\"size\":{\"cols\":" + cols + ",\"rows\":" + rows + "}}"))),
        (1, JsonValue));

    /// <summary>A process RPC's JSON: selector, input, signal and PTY fields, each right, wrong-typed or malformed.</summary>
    private static Gen<byte[]> ProcessMessage(Target target)
    {
        var fields = new List<Gen<byte[]>>();
        if (target == Target.StreamInput)
        {
            return Gen.Frequency(
                (3, Selector.Select(sel => Concat("{\"start\":{\"process\":"u8.ToArray(), sel, "}}"u8.ToArray()))),
                (3, Input.Select(input => Concat("{\"data\":{\"input\":"u8.ToArray(), input, "}}"u8.ToArray()))),
                (1, Gen.OneOf("{\"keepalive\":{}}", "{}", "{\"start\":{},\"data\":{}}").Select(Encoding.UTF8.GetBytes)),
                (1, JsonValue)).SelectMany(Damage);
        }

        if (target != Target.List)
        {
            fields.Add(Selector.Select(sel => Concat("\"process\":"u8.ToArray(), sel)));
        }

        if (target is Target.SendInput)
        {
            fields.Add(Input.Select(input => Concat("\"input\":"u8.ToArray(), input)));
        }

        if (target is Target.SendSignal)
        {
            fields.Add(Gen.OneOf("\"SIGNAL_SIGKILL\"", "\"SIGNAL_SIGTERM\"", "\"SIGNAL_UNSPECIFIED\"", "9", "15", "0", "2", "\"SIGHUP\"", "-1", "null")
                .Select(signal => Encoding.UTF8.GetBytes("\"signal\":" + signal)));
        }

        if (target is Target.Update)
        {
            fields.Add(Pty.Select(pty => Concat("\"pty\":"u8.ToArray(), pty)));
        }

        fields.Add(Gen.Select(JsonString(Word), JsonValue, (k, v) => Concat(k, ":"u8.ToArray(), v)));
        return Gen.Frequency(
            (6, fields.Aggregate(Gen.Const(new List<byte[]>()), (acc, f) => Gen.Select(acc, Gen.Int[0, 3], f, (list, use, v) => use > 0 ? new List<byte[]>(list) { v } : list))
                .Select(list => Concat("{"u8.ToArray(), Join(list, ","u8.ToArray()), "}"u8.ToArray()))
                .SelectMany(Damage)),
            (1, JsonValue));
    }

    private static readonly Gen<Target> Targets = Gen.Enum<Target>();

    /// <summary>A message for <paramref name="target"/> in JSON (field spellings, wrong types) or hand-encoded protobuf (invalid UTF-8, odd varints).</summary>
    private static Gen<byte[]> Message(Target target, bool json)
    {
        if (IsProcess(target))
        {
            // Arbitrary protobuf is harmless here: every selector it could spell finds no process.
            return json ? ProcessMessage(target) : Gen.Byte.Array[0, 40];
        }

        var stringField = target is Target.GetWatcherEvents or Target.RemoveWatcher
            ? Gen.Frequency((1, Gen.Const("w0000000000000000000"u8.ToArray())), (3, Path))
            : Path;
        var name = target is Target.GetWatcherEvents or Target.RemoveWatcher ? "watcherId" : "path";
        if (json)
        {
            var fields = new List<Gen<byte[]>>
            {
                Gen.Select(Gen.OneOf(name, name == "path" ? "path" : "watcher_id", "Path", "unknown"), Gen.Frequency((4, JsonString(stringField)), (1, JsonValue)),
                    (n, v) => Concat(Encoding.UTF8.GetBytes("\"" + n + "\":"), v)),
            };
            if (target == Target.ListDir)
            {
                fields.Add(Gen.OneOf("0", "1", "\"1\"", "-1", "1.5", "4294967296", "null", "true").Select(d => Encoding.UTF8.GetBytes("\"depth\":" + d)));
            }

            if (target == Target.WatchDir)
            {
                fields.Add(Gen.OneOf("\"recursive\":false", "\"includeEntry\":true", "\"allow_network_mounts\":true", "\"recursive\":\"no\"").Select(Encoding.UTF8.GetBytes));
            }

            return Gen.Frequency(
                (6, fields.Aggregate(Gen.Const(new List<byte[]>()), (acc, f) => Gen.Select(acc, Gen.Bool, f, (list, use, v) => use ? new List<byte[]>(list) { v } : list))
                    .Select(list => Concat("{"u8.ToArray(), Join(list, ","u8.ToArray()), "}"u8.ToArray()))
                    .SelectMany(Damage)),
                (1, JsonValue));
        }

        var pathField = stringField.Select(bytes => Concat([0x0a], Varint((ulong)bytes.Length), bytes));
        var extra = target switch
        {
            Target.ListDir => Gen.OneOf<byte[]>([], [0x10, 0x00], [0x10, 0x01], [0x10, 0x81, 0x00]),
            Target.WatchDir => Gen.OneOf<byte[]>([], [0x10, 0x00], [0x18, 0x01], [0x20, 0x01]),
            _ => Gen.OneOf<byte[]>([], [0x12, 0x01, 0x41], [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f], [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], [0x0b], [0x07]),
        };
        var structured = Gen.Select(pathField, extra, Gen.Bool, (p, e, first) => first ? Concat(p, e) : Concat(e, p));

        // Arbitrary bytes could spell any field value, so they go only where every value is harmless.
        return target is Target.Stat or Target.GetWatcherEvents or Target.RemoveWatcher or Target.Unknown
            ? Gen.Frequency((3, structured), (1, Gen.Byte.Array[0, 40]))
            : structured;
    }

    /// <summary>Envelopes that mostly tell the truth, and sometimes carry other flags, claim other lengths (up to 4 GiB) or stop short.</summary>
    private static Gen<byte[]> Envelopes(Gen<byte[]> message) =>
        Gen.Select(
            Gen.Select(
                Gen.Frequency((8, Gen.Const((byte)0)), (1, Gen.OneOf<byte>(0x01, 0x02, 0x03, 0x80, 0xff))),
                Gen.Frequency((8, Gen.Const<long>(-1)), (1, Gen.OneOf<long>(0, 1, 0xFFFFFFFF, 0x7FFFFFFF, 64 * 1024 * 1024 + 1, 60 * 1024 * 1024))),
                message,
                (flags, length, payload) =>
                {
                    var header = new byte[5];
                    header[0] = flags;
                    BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), length < 0 ? (uint)payload.Length : (uint)length);
                    return Concat(header, payload);
                }).Array[0, 3],
            Gen.Frequency((6, Gen.Const(-1)), (1, Gen.Int[0, 12])),
            (envelopes, cut) =>
            {
                var body = Concat(envelopes);
                return cut >= 0 && cut < body.Length ? body[..cut] : body;
            });

    /// <summary>Connect calls, unary and streaming, in both codecs, with headers that are sometimes wrong.</summary>
    public static readonly Gen<FuzzRequest> ConnectRequest =
        Gen.Select(Targets, Gen.Bool, Gen.Frequency((6, Gen.Const(NoContentType)), (1, Gen.OneOf(ContentTypes).Select(t => (string?)t))))
            .SelectMany(choice =>
            {
                var (target, json, contentTypeOverride) = choice;
                var streaming = IsStreaming(target);
                var message = Message(target, json);
                var body = streaming ? Envelopes(message) : message;
                var procedure = target switch
                {
                    Target.Unknown => "/filesystem.Filesystem/Unknown",
                    _ when IsProcess(target) => "/process.Process/" + target,
                    _ => "/filesystem.Filesystem/" + target,
                };
                var contentType = contentTypeOverride ?? (streaming ? "application/connect+" : "application/") + (json ? "json" : "proto");
                return Gen.Select(
                    body,
                    Authorization,
                    Gen.Frequency((3, Gen.Const(NoHeader)), (1, HeaderNoise.Select(Maybe))),
                    Gen.Frequency((3, Gen.Const(NoHeader)), (1, HeaderNoise.Select(Maybe))),
                    Gen.Frequency((3, Gen.Const(NoHeader)), (1, HeaderNoise.Select(Maybe))),
                    (payload, authorization, timeout, encoding, keepalive) =>
                    {
                        var headers = new List<(string, byte[])> { ("Content-Type", Encoding.ASCII.GetBytes(contentType)), ("Connect-Protocol-Version", "1"u8.ToArray()) };
                        if (authorization is not null)
                        {
                            headers.Add(("Authorization", authorization));
                        }

                        // A watch or attach that started would run until its deadline: keep the deadline short and real.
                        headers.Add(("Connect-Timeout-Ms", streaming ? "150"u8.ToArray() : timeout ?? "5000"u8.ToArray()));
                        if (encoding is not null)
                        {
                            headers.Add((streaming ? "Connect-Content-Encoding" : "Content-Encoding", encoding));
                        }

                        if (keepalive is not null)
                        {
                            headers.Add(("Keepalive-Ping-Interval", keepalive));
                        }

                        return new FuzzRequest("POST", Encoding.ASCII.GetBytes(procedure), headers, payload, $"connect {target} {(json ? "json" : "proto")}");
                    });
            });

    private static readonly byte[]? NoHeader = null;
    private static readonly string? NoContentType = null;

    private static byte[]? Maybe(byte[] value) => value;

    private const string Boundary = "fuzzBoundary7";

    private static readonly Gen<byte[]> PartHeaders = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf("file", "other", "", "FILE"), JsonString(Path), (name, fileName) =>
            Concat(Encoding.ASCII.GetBytes($"Content-Disposition: form-data; name=\"{name}\"; filename="), fileName, "\r\nContent-Type: application/octet-stream"u8.ToArray()))),
        (2, Gen.OneOf(
            "Content-Disposition: form-data; name=file", "Content-Disposition: attachment; filename=x", "Content-Disposition: form-data",
            "Content-Disposition: form-data; name=\"file\"; filename*=utf-8''%ff%00%2e%2e", "Content-Disposition: form-data; name=\"file\"; filename=\"",
            "no colon here", "", "Content-Disposition: form-data; name=\"file\"\r\nContent-Type: text/plain\r\nX-Extra: 1")
            .Select(Encoding.ASCII.GetBytes)),
        (1, Gen.Int[1, 40].Select(n => Encoding.ASCII.GetBytes("Content-Disposition: form-data; name=\"file\"" + string.Concat(Enumerable.Range(0, n).Select(i => $"\r\nX-H{i}: " + new string('h', 900)))))));

    private static readonly Gen<byte[]> MultipartBody =
        Gen.Select(PartHeaders, Gen.Byte.Array[0, 300], (headers, content) =>
                Concat(Encoding.ASCII.GetBytes($"--{Boundary}\r\n"), headers, "\r\n\r\n"u8.ToArray(), content, "\r\n"u8.ToArray()))
            .Array[0, 3]
            .Select(parts => Concat(Concat(parts), Encoding.ASCII.GetBytes($"--{Boundary}--\r\n")))
            .SelectMany(Damage);

    private static readonly string[] UploadTypes =
        [$"multipart/form-data; boundary={Boundary}", $"multipart/form-data; boundary=\"{Boundary}\"", "multipart/form-data", "multipart/form-data; boundary=",
         "multipart/form-data; boundary=" + new string('b', 200), $"multipart/mixed; boundary={Boundary}", "application/octet-stream", "text/plain", "",
         $"multipart/form-data; boundary={Boundary}; charset=utf-8", "application/octet-stream; x=y"];

    /// <summary>
    /// Uploads into <paramref name="directory"/> and nowhere else: the <c>path</c> parameter is always present, once, and
    /// names a single entry of that directory (no slash, never <c>.</c> or <c>..</c>), so a generated name cannot escape;
    /// bodies are multipart (with hostile part headers, names and trailers) or raw, sometimes damaged.
    /// </summary>
    public static Gen<FuzzRequest> Upload(string directory) =>
        Gen.Select(
            Gen.Frequency((4, Word), (3, Path), (1, Gen.Const("a"u8.ToArray()))),
            Gen.Int[0, 1],
            Gen.Frequency((4, Gen.OneOf(Users).Select(Encoding.UTF8.GetBytes).Select(Maybe)), (1, Path.Select(Maybe)), (2, Gen.Const(NoHeader))),
            Gen.Select(Gen.Int[0, UploadTypes.Length - 1], Gen.Frequency((6, Gen.Const(NoHeader)), (1, HeaderNoise.Select(Maybe))), (type, encoding) => (type, encoding)),
            Gen.Select(Word.Where(w => w is not [(byte)'p', (byte)'a', (byte)'t', (byte)'h'] and not [(byte)'u', (byte)'s', (byte)'e', (byte)'r', (byte)'n', (byte)'a', (byte)'m', (byte)'e']),
                Gen.Frequency((3, Word), (1, Path), (1, HeaderNoise)), (k, v) => (k, v)).Array[0, 2],
            Gen.Select(Word, Gen.Frequency((3, Word), (1, HeaderNoise)), (k, v) => (k, v)).Array[0, 2],
            Gen.Frequency((3, MultipartBody), (1, Gen.Byte.Array[0, 200])))
        .Select((name, encoding, username, type, query, metadata, body) =>
        {
            var safe = name.Select(b => b == (byte)'/' ? (byte)'_' : b).ToArray();
            if (safe is [(byte)'.'] or [(byte)'.', (byte)'.'] || safe.Length == 0)
            {
                safe = "dots"u8.ToArray();
            }

            var target = Concat(Encoding.ASCII.GetBytes("/files?path="), Encode(Concat(Encoding.UTF8.GetBytes(directory + "/"), safe), encoding, keepSlashes: true));
            if (username is not null)
            {
                target = Concat(target, "&username="u8.ToArray(), Encode(username, encoding, keepSlashes: false));
            }

            foreach (var (k, v) in query)
            {
                target = Concat(target, "&"u8.ToArray(), Encode(k, 0, false), "="u8.ToArray(), Encode(v, encoding, false));
            }

            var headers = new List<(string, byte[])> { ("Content-Type", Encoding.ASCII.GetBytes(UploadTypes[type.type])) };
            if (type.encoding is not null)
            {
                headers.Add(("Content-Encoding", type.encoding));
            }

            foreach (var (k, v) in metadata)
            {
                headers.Add(("X-Metadata-" + Encoding.ASCII.GetString(k), v));
            }

            return new FuzzRequest("POST", target, headers, body, "upload");
        });

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Concat(IEnumerable<byte[]> parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Join(IEnumerable<byte[]> parts, byte[] separator)
    {
        using var buffer = new MemoryStream();
        var first = true;
        foreach (var part in parts)
        {
            if (!first)
            {
                buffer.Write(separator);
            }

            buffer.Write(part);
            first = false;
        }

        return buffer.ToArray();
    }

    private static byte[] Repeat(byte[] piece, int times) => Enumerable.Repeat(piece, times).SelectMany(p => p).ToArray();

    private static byte[] Escaped(byte[] bytes)
    {
        var text = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\u{b:x4}");
        }

        return Encoding.UTF8.GetBytes(text.Append('"').ToString());
    }

    /// <summary>Percent-encodes everything (0), only what HTTP forbids (1), or nothing at all (2: raw bytes on the request line).</summary>
    private static byte[] Encode(byte[] bytes, int mode, bool keepSlashes)
    {
        if (mode == 2)
        {
            return bytes.Where(b => b is not (byte)'\r' and not (byte)'\n').ToArray();
        }

        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            var plain = b is >= 0x21 and < 0x7f and not (byte)'%' and not (byte)'?' and not (byte)'#' and not (byte)'&' and not (byte)'='
                && (mode == 1 || char.IsAsciiLetterOrDigit((char)b) || (keepSlashes && b == '/') || b is (byte)'.' or (byte)'-' or (byte)'_' or (byte)'~');
            text.Append(plain ? ((char)b).ToString() : $"%{b:X2}");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        return [.. bytes];
    }
}
