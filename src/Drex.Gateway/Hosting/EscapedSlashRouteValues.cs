using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Drex.Gateway.Hosting;

/// <summary>
/// Route values with their slashes decoded. The server decodes every percent-escape of a request's path but "%2F",
/// which would otherwise split a segment in two, so routing hands an id containing a slash to its endpoint still
/// escaped ("a%2Fb"): an id that ingestion accepts could not be read back. Where the request target holds an escaped
/// slash, each parameter that fills a whole segment of the matched route is decoded again from that segment of the
/// target as the client sent it (so "a%2Fb" is "a/b", and "a%252Fb" stays "a%2Fb").
/// </summary>
public static class EscapedSlashRouteValues
{
    /// <summary>Goes after routing (it reads the matched endpoint) and before the endpoints bind their parameters.</summary>
    public static IApplicationBuilder UseEscapedSlashRouteValues(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            Decode(context);
            return next(context);
        });

    private static void Decode(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is null || !target.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            || !target.StartsWith('/') || context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return;
        }

        var path = target.AsSpan();
        if (path.IndexOfAny('?', '#') is var end and >= 0)
        {
            path = path[..end];
        }

        // The target's segments after the path base's (which routing does not see), against the route's.
        var segments = path[1..].ToString().Split('/')[Segments(context.Request.PathBase)..];
        var pattern = endpoint.RoutePattern.PathSegments;
        if (segments.Length != pattern.Count)
        {
            return;
        }

        for (var k = 0; k < pattern.Count; k++)
        {
            if (pattern[k].Parts is [RoutePatternParameterPart { IsCatchAll: false } parameter])
            {
                context.Request.RouteValues[parameter.Name] = Uri.UnescapeDataString(segments[k]);
            }
        }
    }

    private static int Segments(PathString pathBase) =>
        pathBase.HasValue ? pathBase.Value!.Trim('/').Split('/').Length : 0;
}
