using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Drex.Gateway.Apis;

/// <summary>
/// A 404 whose body is a ProblemDetails written by the problem details service (so it carries the trace id and the
/// application/problem+json type like every other error), typed so OpenAPI documents it.
/// </summary>
public sealed class NotFoundProblem(string title, string detail)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>, IEndpointMetadataProvider
{
    public ProblemDetails Value { get; } = new()
    {
        Status = StatusCodes.Status404NotFound,
        Title = title,
        Detail = detail,
    };

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status404NotFound;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        return httpContext.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = Value })
            .AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
}
