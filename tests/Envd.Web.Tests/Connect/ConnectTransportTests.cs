using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Envd.Contracts.Filesystem;
using Envd.Web.Tests.Infrastructure;
using Google.Protobuf;

namespace Envd.Web.Tests.Connect;

public sealed class ConnectTransportTests(EchoServerFixture fixture) : IClassFixture<EchoServerFixture>
{
    private const string Echo = "/test.Echo/Echo";
    private const string Count = "/test.Echo/Count";
    private const string Collect = "/test.Echo/Collect";

    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task Unary_json_answers_proto3_json_with_int64_as_string_enums_by_name_and_defaults_left_out()
    {
        using var response = await Client.SendAsync(ConnectWire.Unary(Echo, """{"path":"a","unknownField":{"x":1}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{ "entry": { "name": "a", "type": "FILE_TYPE_DIRECTORY", "size": "1099511627776" } }""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unary_json_accepts_the_proto_field_name_spelling()
    {
        using var snake = await Client.SendAsync(ConnectWire.Unary(Echo, """{"path":"a","include_entry":true}"""));
        using var camel = await Client.SendAsync(ConnectWire.Unary(Echo, """{"path":"a","includeEntry":true}"""));

        Assert.Contains("\"permissions\": \"include\"", await snake.Content.ReadAsStringAsync());
        Assert.Contains("\"permissions\": \"include\"", await camel.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unary_proto_round_trips_binary_messages()
    {
        var body = new WatchDirRequest { Path = "bin" }.ToByteArray();
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Echo) { Content = ConnectWire.Content(body, "application/proto") });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/proto", response.Content.Headers.ContentType?.MediaType);
        var parsed = StatResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("bin", parsed.Entry.Name);
        Assert.Equal(1L << 40, parsed.Entry.Size);
    }

    [Theory]
    [InlineData("not-found", HttpStatusCode.NotFound, "not_found", "no such thing")]
    [InlineData("crash", HttpStatusCode.InternalServerError, "internal", "boom")]
    public async Task Unary_errors_carry_the_connect_code_and_its_http_status(string path, HttpStatusCode status, string code, string message)
    {
        using var response = await Client.SendAsync(ConnectWire.Unary(Echo, $$"""{"path":"{{path}}"}"""));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("{\"path\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"path\":5}")]
    [InlineData("")]
    public async Task Malformed_unary_json_is_invalid_argument(string body)
    {
        using var response = await Client.SendAsync(ConnectWire.Unary(Echo, body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"invalid_argument\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_proto_is_invalid_argument()
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, Echo)
        {
            Content = ConnectWire.Content([0x0a, 0xff, 0xff], "application/proto"),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"invalid_argument\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(Echo, "text/plain")]
    [InlineData(Echo, "application/connect+json")]
    [InlineData(Count, "application/json")]
    public async Task A_content_type_the_method_does_not_speak_is_415_with_a_json_error(string path, string contentType)
    {
        using var response = await Client.SendAsync(ConnectWire.Unary(path, "{}", contentType));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/connect+json", response.Headers.GetValues("Accept-Post").Single());
        Assert.Contains("unsupported content type", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_unary_method_is_unimplemented()
    {
        using var response = await Client.SendAsync(ConnectWire.Unary("/test.Echo/Nope", "{}"));

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains("\"unimplemented\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_streaming_method_is_unimplemented_in_an_end_of_stream_envelope()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream("/test.Echo/Nope", "{}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.True(frame.IsEndOfStream);
        Assert.Equal("unimplemented", frame.ErrorCode);
    }

    [Fact]
    public async Task Compressed_unary_bodies_are_refused_as_unimplemented()
    {
        var request = ConnectWire.Unary(Echo, """{"path":"a"}""");
        request.Content!.Headers.ContentEncoding.Add("gzip");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Contains("unknown compression", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_declared_4_GiB_unary_body_is_refused_before_it_is_read()
    {
        var request = Encoding.ASCII.GetBytes(
            $"POST {Echo} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4294967296\r\n\r\n{{}}");

        var answer = await ConnectWire.RawExchange(fixture.Server.BaseAddress, request, TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 429", answer);
        Assert.Contains("resource_exhausted", answer);
    }

    [Fact]
    public async Task Unary_deadline_from_connect_timeout_ms_ends_the_call_with_deadline_exceeded()
    {
        var request = ConnectWire.Unary(Echo, """{"path":"wait"}""");
        request.Headers.Add("Connect-Timeout-Ms", "200");
        var watch = Stopwatch.StartNew();
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("\"deadline_exceeded\"", await response.Content.ReadAsStringAsync());
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_handler_sees_the_timeout_the_client_asked_for()
    {
        var request = ConnectWire.Unary(Echo, """{"path":"t"}""");
        request.Headers.Add("Connect-Timeout-Ms", "60000");
        using var response = await Client.SendAsync(request);

        Assert.Contains("\"owner\": \"60000\"", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("12345678901")]
    public async Task An_invalid_connect_timeout_ms_is_invalid_argument(string timeout)
    {
        var request = ConnectWire.Stream(Count, """{"path":"1"}""");
        request.Headers.TryAddWithoutValidation("Connect-Timeout-Ms", timeout);
        using var response = await Client.SendAsync(request);

        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.Equal("invalid_argument", frame.ErrorCode);
    }

    [Fact]
    public async Task A_server_stream_sends_each_message_then_an_empty_end_of_stream()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, """{"path":"2"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/connect+json", response.Content.Headers.ContentType?.MediaType);
        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(["""{ "start": { } }""", """{ "filesystem": { "name": "f0", "type": "EVENT_TYPE_CREATE" } }""",
            """{ "filesystem": { "name": "f1", "type": "EVENT_TYPE_CREATE" } }""", "{}"], frames.Select(f => f.Text));
        Assert.Equal([0, 0, 0, 2], frames.Select(f => (int)f.Flags));
    }

    [Fact]
    public async Task A_server_stream_speaks_binary_proto_too()
    {
        var envelope = ConnectWire.Envelope(0, new WatchDirRequest { Path = "1" }.ToByteArray());
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, "application/connect+proto", envelope));

        Assert.Equal("application/connect+proto", response.Content.Headers.ContentType?.MediaType);
        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(3, frames.Count);
        Assert.Equal(WatchDirResponse.EventOneofCase.Start, WatchDirResponse.Parser.ParseFrom(frames[0].Payload).EventCase);
        Assert.Equal("f0", WatchDirResponse.Parser.ParseFrom(frames[1].Payload).Filesystem.Name);
        Assert.Equal("{}", frames[2].Text);
    }

    [Theory]
    [InlineData("fail-first", 1)]
    [InlineData("fail-later", 2)]
    public async Task Stream_errors_go_in_the_end_of_stream_envelope_with_http_200(string path, int frameCount)
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, $$"""{"path":"{{path}}"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(frameCount, frames.Count);
        Assert.True(frames[^1].IsEndOfStream);
        Assert.NotNull(frames[^1].Json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_stream_deadline_ends_it_with_deadline_exceeded()
    {
        var request = ConnectWire.Stream(Count, """{"path":"wait"}""");
        request.Headers.Add("Connect-Timeout-Ms", "300");
        using var response = await Client.SendAsync(request);

        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(2, frames.Count);
        Assert.Equal("deadline_exceeded", frames[1].ErrorCode);
    }

    [Fact]
    public async Task A_handler_may_still_send_after_its_deadline_before_the_stream_ends()
    {
        var request = ConnectWire.Stream(Count, """{"path":"last-word"}""");
        request.Headers.Add("Connect-Timeout-Ms", "200");
        using var response = await Client.SendAsync(request);

        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(3, frames.Count);
        Assert.Contains("after-deadline", frames[1].Text);
        Assert.Equal("deadline_exceeded", frames[2].ErrorCode);
    }

    [Fact]
    public async Task Keepalive_messages_fill_silence_at_the_requested_interval()
    {
        var request = ConnectWire.Stream(Count, """{"path":"wait"}""");
        request.Headers.Add("Connect-Timeout-Ms", "2600");
        request.Headers.Add("Keepalive-Ping-Interval", "1");
        using var response = await Client.SendAsync(request);

        var frames = await ConnectWire.ReadAllFrames(response);
        var keepalives = frames.Count(f => f.Text == """{ "keepalive": { } }""");
        Assert.Equal("""{ "start": { } }""", frames[0].Text);
        Assert.InRange(keepalives, 1, 3);
        Assert.Equal("deadline_exceeded", frames[^1].ErrorCode);
    }

    [Fact]
    public async Task A_compressed_envelope_is_refused_cleanly()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, "application/connect+json", ConnectWire.Envelope(1, "{}"u8)));

        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.Equal("internal", frame.ErrorCode);
        Assert.Contains("compressed", frame.Json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Connect_content_encoding_gzip_is_unimplemented()
    {
        var request = ConnectWire.Stream(Count, """{"path":"1"}""");
        request.Headers.Add("Connect-Content-Encoding", "gzip");
        using var response = await Client.SendAsync(request);

        Assert.Equal("unimplemented", Assert.Single(await ConnectWire.ReadAllFrames(response)).ErrorCode);
    }

    [Fact]
    public async Task A_truncated_envelope_is_invalid_argument()
    {
        var envelope = ConnectWire.Envelope("""{"path":"1"}""")[..8];
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, "application/connect+json", envelope));

        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.Equal("invalid_argument", frame.ErrorCode);
        Assert.Contains("promised", frame.Text);
    }

    [Fact]
    public async Task A_declared_4_GiB_envelope_is_refused_without_allocating_it()
    {
        byte[] envelope = [0, 0xff, 0xff, 0xff, 0xff, (byte)'{'];
        var before = GC.GetTotalAllocatedBytes();
        using var response = await Client.SendAsync(ConnectWire.Stream(Count, "application/connect+json", envelope));

        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.Equal("resource_exhausted", frame.ErrorCode);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 512L * 1024 * 1024);
    }

    [Fact]
    public async Task An_extra_request_message_on_a_server_stream_is_invalid_argument()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(
            Count, "application/connect+json", ConnectWire.Envelope("""{"path":"1"}"""), ConnectWire.Envelope("{}")));

        Assert.Equal("invalid_argument", Assert.Single(await ConnectWire.ReadAllFrames(response)).ErrorCode);
    }

    [Fact]
    public async Task A_client_stream_collects_every_message_and_answers_in_one_envelope()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(Collect, "application/connect+json",
            ConnectWire.Envelope("""{"path":"a"}"""), ConnectWire.Envelope("""{"path":"b"}""")));

        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(["""{ "entries": [ { "name": "a" }, { "name": "b" } ] }""", "{}"], frames.Select(f => f.Text));
    }

    [Fact]
    public async Task A_client_stream_with_a_broken_envelope_ends_with_an_error()
    {
        using var response = await Client.SendAsync(ConnectWire.Stream(Collect, "application/connect+json",
            ConnectWire.Envelope("""{"path":"a"}"""), [0, 0, 0]));

        Assert.Equal("invalid_argument", Assert.Single(await ConnectWire.ReadAllFrames(response)).ErrorCode);
    }

    [Fact]
    public async Task An_unknown_basic_auth_user_is_unauthenticated_as_a_unary_error()
    {
        var request = ConnectWire.Unary(Echo, """{"path":"user"}""");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("nobody-here:"u8.ToArray()));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"code":"unauthenticated","message":"invalid username: 'nobody-here'"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_basic_auth_user_on_a_stream_is_an_end_of_stream_error()
    {
        var request = ConnectWire.Stream(Count, """{"path":"1"}""");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("nobody-here:"u8.ToArray()));
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frame = Assert.Single(await ConnectWire.ReadAllFrames(response));
        Assert.Equal("unauthenticated", frame.ErrorCode);
    }

    [Fact]
    public async Task The_handler_acts_as_the_basic_auth_user_or_else_the_default_user()
    {
        TestUsers.EnsureCreated();
        var request = ConnectWire.Unary(Echo, """{"path":"user"}""");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(TestUsers.Regular + ":")));
        using var asUser = await Client.SendAsync(request);
        using var asDefault = await Client.SendAsync(ConnectWire.Unary(Echo, """{"path":"user"}"""));

        Assert.Contains($"\"name\": \"{TestUsers.Regular}\"", await asUser.Content.ReadAsStringAsync());
        Assert.Contains("\"name\": \"root\"", await asDefault.Content.ReadAsStringAsync());
    }
}
