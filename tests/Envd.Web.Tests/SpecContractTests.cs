using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Envd.Web.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Envd.Web.Tests;

/// <summary>
/// Reads <c>spec/envd.yaml</c> and checks that the daemon serves every operation in it, answers with a status the spec
/// documents, and that JSON bodies carry every field the spec's schema requires (and, for objects whose schema lists
/// properties without <c>required</c>, every listed property).
/// </summary>
public sealed class SpecContractTests : IAsyncLifetime
{
    private static readonly YamlMappingNode Spec = LoadSpec();
    private EnvdServer _server = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        TestUsers.EnsureCreated();
        _server = await EnvdServer.StartAsync();
        _dir = Directory.CreateTempSubdirectory("envd-contract-").FullName;
        File.WriteAllText(Path.Combine(_dir, "existing.txt"), "contract");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, string> Operations()
    {
        var data = new TheoryData<string, string>();
        foreach (var (path, item) in (YamlMappingNode)Spec["paths"])
        {
            foreach (var (method, _) in (YamlMappingNode)item)
            {
                data.Add(method.ToString().ToUpperInvariant(), path.ToString());
            }
        }

        return data;
    }

    [Fact]
    public void Every_operation_in_the_spec_has_a_probe_here()
    {
        var missing = Operations().Select(row => $"{row[0]} {row[1]}").Where(op => !Probes.ContainsKey(op)).ToList();
        Assert.NotEmpty(Operations());

        Assert.Empty(missing);
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Every_operation_is_served_with_a_documented_status_and_its_required_fields(string method, string path)
    {
        foreach (var (probe, expected) in Probes[$"{method} {path}"](this))
        {
            using var response = await _server.Client.SendAsync(probe);
            Assert.Equal(expected, response.StatusCode);
            var status = ((int)response.StatusCode).ToString();
            var responses = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Spec["paths"])[path])[method.ToLowerInvariant()];
            var documented = (YamlMappingNode)responses["responses"];
            Assert.True(documented.Children.ContainsKey(status), $"{method} {probe.RequestUri} answered {status}, not in the spec");

            var schema = JsonSchemaOf(Resolve(documented[status]));
            if (schema is not null)
            {
                var body = await response.Content.ReadAsStringAsync();
                using var json = JsonDocument.Parse(body);
                AssertMatches(schema, json.RootElement, $"{method} {probe.RequestUri}");
            }
        }
    }

    /// <summary>Requests that exercise each operation, each with the status it must get.</summary>
    private static readonly Dictionary<string, Func<SpecContractTests, IEnumerable<(HttpRequestMessage, HttpStatusCode)>>> Probes = new()
    {
        ["GET /health"] = _ => [(new(HttpMethod.Get, "/health"), HttpStatusCode.NoContent)],
        ["GET /metrics"] = _ => [(new(HttpMethod.Get, "/metrics"), HttpStatusCode.OK)],
        ["POST /init"] = _ =>
        [
            (new(HttpMethod.Post, "/init") { Content = Json("""{"envVars":{"CONTRACT":"1"}}""") }, HttpStatusCode.NoContent),
        ],
        ["GET /envs"] = _ => [(new(HttpMethod.Get, "/envs"), HttpStatusCode.OK)],
        ["GET /files"] = t =>
        [
            (new(HttpMethod.Get, $"/files?path={Uri.EscapeDataString(Path.Combine(t._dir, "existing.txt"))}"), HttpStatusCode.OK),
            (new(HttpMethod.Get, $"/files?path={Uri.EscapeDataString(Path.Combine(t._dir, "missing.txt"))}"), HttpStatusCode.NotFound),
            (new(HttpMethod.Get, $"/files?path={Uri.EscapeDataString(t._dir)}"), HttpStatusCode.BadRequest),
            (new(HttpMethod.Get, $"/files?path=x&username={TestUsers.Regular}-nobody"), HttpStatusCode.Unauthorized),
        ],
        ["POST /files"] = t =>
        [
            (Upload($"/files?path={Uri.EscapeDataString(Path.Combine(t._dir, "uploaded.txt"))}"), HttpStatusCode.OK),
            (Upload($"/files?path={Uri.EscapeDataString(t._dir)}"), HttpStatusCode.BadRequest),
            (Upload($"/files?path=x&username={TestUsers.Regular}-nobody"), HttpStatusCode.Unauthorized),
        ],
        ["POST /files/compose"] = t =>
        [
            (Compose([Path.Combine(t._dir, "part-a.txt"), Path.Combine(t._dir, "part-b.txt")], Path.Combine(t._dir, "composed.txt")), HttpStatusCode.OK),
            (Compose([Path.Combine(t._dir, "gone.txt")], Path.Combine(t._dir, "composed-2.txt")), HttpStatusCode.NotFound),
            (Compose([], Path.Combine(t._dir, "composed-3.txt")), HttpStatusCode.BadRequest),
        ],
    };

    private static HttpRequestMessage Compose(string[] sources, string destination)
    {
        foreach (var source in sources.Where(s => !s.EndsWith("gone.txt", StringComparison.Ordinal)))
        {
            File.WriteAllText(source, Path.GetFileName(source));
        }

        var body = JsonSerializer.Serialize(new { source_paths = sources, destination });
        return new HttpRequestMessage(HttpMethod.Post, "/files/compose") { Content = Json(body) };
    }

    private static HttpRequestMessage Upload(string uri)
    {
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent("uploaded"u8.ToArray());
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "uploaded.txt");
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = form };
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static YamlMappingNode? JsonSchemaOf(YamlMappingNode response) =>
        response.Children.TryGetValue("content", out var content)
        && ((YamlMappingNode)content).Children.TryGetValue("application/json", out var media)
            ? Resolve(((YamlMappingNode)media)["schema"])
            : null;

    private static void AssertMatches(YamlMappingNode schema, JsonElement value, string where)
    {
        if (schema.Children.TryGetValue("type", out var type) && type.ToString() == "array")
        {
            Assert.Equal(JsonValueKind.Array, value.ValueKind);
            Assert.NotEqual(0, value.GetArrayLength());
            foreach (var item in value.EnumerateArray())
            {
                AssertMatches(Resolve(schema["items"]), item, where);
            }

            return;
        }

        if (!schema.Children.TryGetValue("properties", out var properties) && !schema.Children.ContainsKey("additionalProperties"))
        {
            return;
        }

        Assert.Equal(JsonValueKind.Object, value.ValueKind);
        var required = schema.Children.TryGetValue("required", out var listed)
            ? ((YamlSequenceNode)listed).Select(n => n.ToString())
            : properties is null ? [] : ((YamlMappingNode)properties).Children.Keys.Select(k => k.ToString());
        foreach (var field in required)
        {
            Assert.True(value.TryGetProperty(field, out _), $"{where}: the answer lacks '{field}'");
        }
    }

    private static YamlMappingNode Resolve(YamlNode node)
    {
        var mapping = (YamlMappingNode)node;
        if (!mapping.Children.TryGetValue("$ref", out var reference))
        {
            return mapping;
        }

        YamlNode target = Spec;
        foreach (var segment in reference.ToString().TrimStart('#', '/').Split('/'))
        {
            target = ((YamlMappingNode)target)[segment];
        }

        return Resolve(target);
    }

    private static YamlMappingNode LoadSpec()
    {
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "spec", "envd.yaml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
