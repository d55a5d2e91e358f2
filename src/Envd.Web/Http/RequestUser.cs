using System.Net.Http.Headers;
using System.Text;
using Envd.Actors.Init;
using Envd.Linux.Users;

namespace Envd.Web.Http;

/// <summary>The outcome of finding the user a request acts as.</summary>
public readonly record struct UserLookup(UserAccount? User, int Status, string? Error)
{
    public static UserLookup Found(UserAccount user) => new(user, StatusCodes.Status200OK, null);

    public static UserLookup Fail(int status, string error) => new(null, status, error);
}

/// <summary>
/// Who a request acts as: the HTTP Basic user (RPCs), the <c>username</c> query parameter (REST), or the default
/// user from <c>/init</c>. The user only decides path resolution, ownership and process credentials.
/// </summary>
public sealed class RequestUser(IUserDirectory users, InitSnapshot init)
{
    private static readonly object BasicKey = new();

    /// <summary>
    /// Validates an <c>Authorization: Basic</c> username before any route runs (the password is ignored); returns the
    /// error for an unknown user, or null.
    /// </summary>
    public string? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = DecodeBasicUser(value.Parameter);
        var account = name is null ? null : users.FindUser(name);
        if (account is null)
        {
            return $"invalid username: '{name}'";
        }

        context.Items[BasicKey] = account;
        return null;
    }

    /// <summary>For Connect RPCs: the Basic user, else the default user.</summary>
    public UserLookup ForRpc(HttpContext context)
    {
        if (context.Items.TryGetValue(BasicKey, out var basic) && basic is UserAccount account)
        {
            return UserLookup.Found(account);
        }

        var fallback = init.Current.DefaultUser;
        if (string.IsNullOrEmpty(fallback))
        {
            return UserLookup.Fail(StatusCodes.Status401Unauthorized, "no user specified");
        }

        var user = users.FindUser(fallback);
        return user is null
            ? UserLookup.Fail(StatusCodes.Status401Unauthorized, $"invalid default user: '{fallback}'")
            : UserLookup.Found(user);
    }

    /// <summary>For REST: the <c>username</c> parameter when present (even empty), else the default user.</summary>
    public UserLookup ForRest(string? username)
    {
        var name = username ?? init.Current.DefaultUser;
        if (username is null && string.IsNullOrEmpty(name))
        {
            return UserLookup.Fail(StatusCodes.Status400BadRequest, "username not provided");
        }

        var user = users.FindUser(name);
        return user is null
            ? UserLookup.Fail(StatusCodes.Status401Unauthorized, $"error looking up user '{name}': user: unknown user {name}")
            : UserLookup.Found(user);
    }

    private static string? DecodeBasicUser(string? parameter)
    {
        if (parameter is null)
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = decoded.IndexOf(':');
            return colon >= 0 ? decoded[..colon] : decoded;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
