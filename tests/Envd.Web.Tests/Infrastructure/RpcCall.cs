using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Envd.Web.Tests.Infrastructure;

/// <summary>The answer to a unary Connect call: status, and the JSON body (a message or a Connect error).</summary>
public sealed record RpcResult(int Status, JsonElement Body)
{
    public string? ErrorCode => Status == 200 ? null : Body.GetProperty("code").GetString();

    public string? ErrorMessage => Status == 200 ? null : Body.GetProperty("message").GetString();
}

public static class RpcCall
{
    public static AuthenticationHeaderValue BasicUser(string user) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":")));

    /// <summary>A unary JSON call the way the SDK makes it, as <paramref name="user"/> when given.</summary>
    public static async Task<RpcResult> Unary(HttpClient client, string procedure, string json, string? user = null)
    {
        var request = ConnectWire.Unary(procedure, json);
        request.Headers.Add("Connect-Protocol-Version", "1");
        if (user is not null)
        {
            request.Headers.Authorization = BasicUser(user);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new RpcResult((int)response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }
}
