using Envd.Actors.Init;
using Envd.Web.Http;

namespace Envd.Web.Endpoints;

public static class EnvsApi
{
    public static IEndpointRouteBuilder MapEnvs(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/envs", (HttpContext context, InitSnapshot init) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return new JsonLine<IReadOnlyDictionary<string, string>>(init.Current.Env, EnvdJsonContext.Wire.IReadOnlyDictionaryStringString);
        });
        return routes;
    }
}
