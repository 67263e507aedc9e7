namespace Drex.Gateway.Errors;

/// <summary>
/// Completes every ProblemDetails: a type link for the statuses ASP.NET Core has none for, and the same wording for a 413
/// or 415 whether the exception handler or the status code page writes it (minimal APIs answer some of those without
/// an exception).
/// </summary>
internal static class ProblemTypes
{
    public static void Apply(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
        {
            context.ProblemDetails.Title = "The request body is too large.";
            context.ProblemDetails.Detail ??= "The body exceeds this endpoint's limit.";
        }
        else if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            context.ProblemDetails.Detail ??= "Send the body as JSON with Content-Type: application/json.";
        }

        context.ProblemDetails.Type ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
            _ => null,
        };
    }
}
