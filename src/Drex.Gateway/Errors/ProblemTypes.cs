namespace Drex.Gateway.Errors;

/// <summary>Problem types for the statuses ASP.NET Core has no default link for.</summary>
internal static class ProblemTypes
{
    public static void Apply(ProblemDetailsContext context)
    {
        context.ProblemDetails.Type ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
            _ => null,
        };
    }
}
