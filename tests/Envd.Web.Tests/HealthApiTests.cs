using System.Net;
using Envd.Web.Tests.Infrastructure;

namespace Envd.Web.Tests;

public sealed class HealthApiTests
{
    [Fact]
    public async Task Health_answers_204_without_a_body_and_is_never_cached()
    {
        await using var server = await EnvdServer.StartAsync();

        using var response = await server.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Health_stays_open_after_a_token_is_set()
    {
        await using var server = await EnvdServer.StartAsync();
        using var init = await server.Client.PostAsync("/init", new StringContent("""{"accessToken":"secret"}"""));
        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);

        using var response = await server.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
