using System.Text.Json;
using Drex.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Drex.Gateway.Errors;

/// <summary>
/// The one place exceptions become ProblemDetails: unreadable requests (malformed JSON, unknown fields, wrong content
/// type, oversized bodies) and grain exceptions. Bad input is always a 4xx; only a fault of ours is a 5xx.
/// </summary>
internal sealed partial class GatewayExceptionHandler(IProblemDetailsService problems, ILogger<GatewayExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = 499;
            return true;
        }

        var problem = Map(exception);
        var status = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (status >= 500)
        {
            LogServerError(logger, exception, context.Request.Method, context.Request.Path);
        }
        else
        {
            LogClientError(logger, status, context.Request.Method, context.Request.Path, exception.Message);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails Map(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => InvalidJson(json),
        BadHttpRequestException bad => Problem(bad.StatusCode, TitleOf(bad.StatusCode), bad.Message),
        NoModelException => Problem(
            StatusCodes.Status503ServiceUnavailable,
            "No model has been published yet.",
            "Train a model and publish it to the registry, then retry."),
        ArgumentException or FormatException => Problem(StatusCodes.Status400BadRequest, "The request is not valid.", exception.Message),
        InvalidDataException => Problem(StatusCodes.Status422UnprocessableEntity, "The request could not be processed.", exception.Message),
        KeyNotFoundException => Problem(StatusCodes.Status404NotFound, "Not found.", exception.Message),
        SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException
            or GatewayTooBusyException => Problem(
                StatusCodes.Status503ServiceUnavailable,
                "The recommender cluster is unavailable.",
                "Retry shortly."),
        _ => Problem(StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null),
    };

    private static ValidationProblemDetails InvalidJson(JsonException json)
    {
        var path = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
        var message = json switch
        {
            _ when json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) => "This field is not part of the request.",
            { InnerException: InvalidOperationException text } when text.Message.Contains("UTF-", StringComparison.Ordinal) =>
                "Not valid text (invalid UTF-8, or an unpaired surrogate).",
            { InnerException: FormatException } => "The number does not fit this field (out of range, or not a whole number).",
            _ when json.Message.Contains("could not be converted", StringComparison.Ordinal) => "The value has the wrong type.",
            { LineNumber: { } line, BytePositionInLine: { } position } => $"Malformed JSON (line {line + 1}, byte {position + 1}).",
            _ => "Malformed JSON.",
        };
        return new ValidationProblemDetails(new Dictionary<string, string[]> { [path] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not valid JSON for this endpoint.",
        };
    }

    private static ProblemDetails Problem(int status, string title, string? detail) =>
        new() { Status = status, Title = title, Detail = detail };

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported Media Type",
        _ => "The request could not be read.",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogServerError(ILogger logger, Exception exception, string method, PathString path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} {Path} refused with {Status}: {Reason}")]
    private static partial void LogClientError(ILogger logger, int status, string method, PathString path, string reason);
}
