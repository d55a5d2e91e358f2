using System.Net;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests.Connect;

/// <summary>Streaming behaviour that needs a probe of its own: flushing, client disconnects, incremental client streams.</summary>
public sealed class ConnectStreamingTests
{
    [Fact]
    public async Task Each_message_is_flushed_before_the_handler_finishes()
    {
        var probe = new EchoProbe();
        await using var server = await EchoServerFixture.StartAsync(probe);
        using var response = await server.Client.SendAsync(ConnectWire.Stream("/test.Echo/Count", """{"path":"hold"}"""), HttpCompletionOption.ResponseHeadersRead);
        await using var frames = ConnectWire.ReadFrames(await response.Content.ReadAsStreamAsync()).GetAsyncEnumerator();

        Assert.True(await frames.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("""{ "start": { } }""", frames.Current.Text);
        probe.Release.SetResult();
        Assert.True(await frames.MoveNextAsync());
        Assert.Equal("{}", frames.Current.Text);
    }

    [Fact]
    public async Task A_client_that_goes_away_cancels_the_handler()
    {
        var probe = new EchoProbe();
        await using var server = await EchoServerFixture.StartAsync(probe);
        var response = await server.Client.SendAsync(ConnectWire.Stream("/test.Echo/Count", """{"path":"wait"}"""), HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStreamAsync();
        await using (var frames = ConnectWire.ReadFrames(body).GetAsyncEnumerator())
        {
            Assert.True(await frames.MoveNextAsync());
        }

        response.Dispose();

        var byClient = await probe.Canceled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(byClient);
    }

    [Fact]
    public async Task A_client_stream_hands_messages_to_the_handler_as_they_arrive()
    {
        var probe = new EchoProbe();
        await using var server = await EchoServerFixture.StartAsync(probe);
        var content = new PushContent("application/connect+json");
        var call = server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/test.Echo/Collect") { Content = content });

        await content.WriteAsync(ConnectWire.Envelope("""{"path":"first"}"""));
        await probe.FirstMessageReceived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await content.WriteAsync(ConnectWire.Envelope("""{"path":"second"}"""));
        content.Complete();
        using var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await ConnectWire.ReadAllFrames(response);
        Assert.Equal(["""{ "entries": [ { "name": "first" }, { "name": "second" } ] }""", "{}"], frames.Select(f => f.Text));
    }
}
