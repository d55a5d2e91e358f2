using System.Text.Json;

namespace Envd.Linux.Metadata;

/// <summary>Firecracker MMDS v2: a session token from PUT /latest/api/token, then GET / as JSON.</summary>
public sealed class MmdsClient(HttpClient http) : IInstanceMetadata
{
    public async Task<InstanceMetadata> FetchAsync(CancellationToken cancellationToken)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, "latest/api/token");
        tokenRequest.Headers.Add("X-metadata-token-ttl-seconds", "60");
        tokenRequest.Headers.ConnectionClose = true;
        using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
        tokenResponse.EnsureSuccessStatusCode();
        var token = await tokenResponse.Content.ReadAsStringAsync(cancellationToken);
        if (token.Length == 0)
        {
            throw new IOException("metadata service returned an empty token");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, string.Empty);
        request.Headers.Add("X-metadata-token", token);
        request.Headers.Add("Accept", "application/json");
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var root = document.RootElement;
        return new InstanceMetadata(Text(root, "instanceID"), Text(root, "envID"), Text(root, "address"), Text(root, "accessTokenHash"));
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
