namespace Envd.Web.Endpoints;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.NoContent();
        });
        return routes;
    }
}
