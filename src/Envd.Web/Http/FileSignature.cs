using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Envd.Actors.Init;

namespace Envd.Web.Http;

/// <summary>
/// Signed <c>/files</c> URLs: <c>v1_</c> + unpadded standard base64 of SHA-256 over
/// <c>path:operation:username:token[:expiration]</c>, built from the raw query values.
/// </summary>
public static class FileSignature
{
    public const string Read = "read";
    public const string Write = "write";

    public static string Compute(string path, string operation, string username, string token, long? expiration)
    {
        var raw = $"{path}:{operation}:{username}:{token}"
            + (expiration is { } seconds ? ":" + seconds.ToString(CultureInfo.InvariantCulture) : string.Empty);
        return "v1_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(raw))).TrimEnd('=');
    }

    /// <summary>
    /// Whether a <c>/files</c> request may proceed: always without a token; else with the token in the header, or with a
    /// matching signature that has not expired (checked in that order, like upstream).
    /// </summary>
    /// <returns>The reason for a 401, or null.</returns>
    public static string? Check(
        string? token,
        string? headerToken,
        string operation,
        string? path,
        string? username,
        string? signature,
        long? expiration,
        DateTimeOffset now)
    {
        if (token is null)
        {
            return null;
        }

        if (headerToken is not null)
        {
            return InitRules.TokensEqual(token, headerToken) ? null : "access token present in header but does not match";
        }

        if (string.IsNullOrEmpty(signature))
        {
            return "missing signature query parameter";
        }

        var expected = Compute(path ?? string.Empty, operation, username ?? string.Empty, token, expiration);
        if (!InitRules.TokensEqual(expected, signature))
        {
            return "invalid signature";
        }

        return expiration < now.ToUnixTimeSeconds() ? "signature is already expired" : null;
    }
}
