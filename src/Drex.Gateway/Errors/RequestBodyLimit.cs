using Microsoft.AspNetCore.Http.Metadata;

namespace Drex.Gateway.Errors;

/// <summary>An endpoint's request body limit; routing hands it to the server (Kestrel enforces it while reading).</summary>
internal sealed class RequestBodyLimit(long bytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => bytes;
}

internal static class RequestBodyLimitExtensions
{
    public static TBuilder WithRequestBodyLimit<TBuilder>(this TBuilder builder, long bytes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestBodyLimit(bytes));

    /// <summary>
    /// Refuses a body whose declared length exceeds the endpoint's limit before anything reads it. Kestrel enforces the
    /// limit on chunked bodies as they are read; hosts without that feature (TestServer) still get this check.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
            if (limit is { } max && context.Request.ContentLength > max)
            {
                throw new BadHttpRequestException(
                    $"This endpoint accepts request bodies up to {max} bytes.",
                    StatusCodes.Status413PayloadTooLarge);
            }

            return next(context);
        });
}
