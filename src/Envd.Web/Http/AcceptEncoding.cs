using System.Globalization;

namespace Envd.Web.Http;

public enum ContentCoding
{
    Identity,
    Gzip,
}

/// <param name="Coding">The coding to answer with, or null when none is acceptable (406).</param>
/// <param name="IdentityRefused">The client ruled out an unencoded answer (<c>identity;q=0</c>, or <c>*;q=0</c> alone).</param>
public readonly record struct EncodingChoice(ContentCoding? Coding, bool IdentityRefused);

/// <summary>Upstream's <c>Accept-Encoding</c> negotiation for downloads: gzip or identity, by q-value.</summary>
public static class AcceptEncoding
{
    public static EncodingChoice Negotiate(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return new EncodingChoice(ContentCoding.Identity, false);
        }

        var offers = header.Split(',')
            .Select(Parse)
            .Where(o => o.Name.Length > 0)
            .ToList();
        var identityRefused = offers.Any(o => o is { Name: "identity", Quality: 0 })
            || (offers.Any(o => o is { Name: "*", Quality: 0 }) && !offers.Any(o => o is { Name: "identity", Quality: > 0 }));
        foreach (var offer in offers.OrderByDescending(o => o.Quality))
        {
            if (offer.Quality == 0)
            {
                continue;
            }

            switch (offer.Name)
            {
                case "identity":
                    return new EncodingChoice(ContentCoding.Identity, identityRefused);
                case "*":
                    return new EncodingChoice(identityRefused ? ContentCoding.Gzip : ContentCoding.Identity, identityRefused);
                case "gzip":
                    return new EncodingChoice(ContentCoding.Gzip, identityRefused);
            }
        }

        return new EncodingChoice(identityRefused ? null : ContentCoding.Identity, identityRefused);
    }

    /// <summary>A coding name (trimmed, lower-cased) and its q-value: 1 when absent or unparsable.</summary>
    private static (string Name, double Quality) Parse(string offer)
    {
        var parts = offer.Split(';');
        var quality = 1.0;
        foreach (var parameter in parts.Skip(1))
        {
            var pair = parameter.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("q", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(pair[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var q))
            {
                quality = q;
            }
        }

        return (parts[0].Trim().ToLowerInvariant(), quality);
    }
}
