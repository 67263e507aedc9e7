using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Drex.Gateway.Apis;

/// <summary>The expected (non-exceptional) error results the handlers return.</summary>
internal static class ApiProblems
{
    public static NotFound<ProblemDetails> NotFound(string title, string detail) =>
        TypedResults.NotFound(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Type = "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            Title = title,
            Detail = detail,
        });

    public static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] });
}
