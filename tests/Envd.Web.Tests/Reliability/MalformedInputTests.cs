using System.Net;
using CsCheck;
using Envd.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Envd.Web.Tests.Reliability;

/// <summary>
/// Property-based fuzzing of every input the daemon parses. Whatever arrives, the answer is a success, a 4xx JSON error
/// or a Connect error that refuses the input; never a 500, a server-fault Connect code, a hang, an error in the log or
/// a daemon that stops answering.
/// </summary>
public sealed class MalformedInputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Init_bodies_get_a_204_or_a_4xx_json_error()
    {
        var applied = 0;
        await FuzzAgainstDaemon(
            FuzzInputs.InitBody.Select(body => new FuzzRequest(
                "POST", "/init"u8.ToArray(), [("Content-Type", "application/json"u8.ToArray())], body, "init")),
            response =>
            {
                Assert.True(response.Status is 204 or (>= 400 and < 500), $"status {response.Status}");
                applied += response.Status == 204 ? 1 : 0;
            });
        Assert.True(applied > 50, $"only {applied} /init cases got past validation");
    }

    [Fact]
    public async Task Any_method_path_query_token_and_basic_auth_gets_an_answer_or_a_json_error()
    {
        await FuzzAgainstDaemon(FuzzInputs.RestRequest, _ => { });
    }

    [Fact]
    public async Task Connect_calls_in_either_codec_and_any_framing_end_in_a_connect_error_at_worst()
    {
        await FuzzAgainstDaemon(FuzzInputs.ConnectRequest, _ => { });
    }

    [Fact]
    public async Task Uploads_with_any_multipart_shape_query_and_metadata_get_an_answer_or_a_json_error_and_leave_nothing_staged()
    {
        var directory = Directory.CreateTempSubdirectory("envd-fuzz-uploads-").FullName;
        var written = 0;
        try
        {
            await FuzzAgainstDaemon(FuzzInputs.Upload(directory), response =>
            {
                Assert.NotEqual(507, response.Status);
                written += response.Status == 200 ? 1 : 0;
            });
            output.WriteLine($"{written} uploads written");
            Assert.True(written > 20, $"only {written} uploads got through to a write");
            Assert.Empty(Files.FileSystemProbe.StagedFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task FuzzAgainstDaemon(Gen<FuzzRequest> requests, Action<RawResponse> extra)
    {
        TestUsers.EnsureCreated();
        var logs = new CapturedLogs();
        await using var server = await EnvdServer.StartAsync(overrides: services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);

            // Thousands of refused requests would flood the test output with information and warnings; errors are what count.
            services.Configure<LoggerFilterOptions>(filters => filters.MinLevel = LogLevel.Error);
        });

        await Fuzz.RunAsync(
            requests,
            async request =>
            {
                var response = await RawHttp.SendAsync(server.BaseAddress, request.Wire, CaseTimeout, head: request.Method == "HEAD");
                ResponseOracle.Check(request, response);
                extra(response);
                var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).ToList();
                Assert.True(errors.Count == 0, "the daemon logged an error: " + string.Join("\n", errors.Select(e => $"{e.Category}: {e.Message}")));
            },
            request => request.Describe(),
            output);

        using var health = await server.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }
}
