namespace Drex.Gateway.Errors;

/// <summary>
/// Completes every ProblemDetails: a type link for the statuses ASP.NET Core has none for, and a detail for a 415 (which
/// minimal APIs answer without an exception, so only the status code page writes it).
/// </summary>
internal static class ProblemTypes
{
    public static void Apply(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
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
