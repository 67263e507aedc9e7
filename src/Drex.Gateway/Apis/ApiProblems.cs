using Microsoft.AspNetCore.Http.HttpResults;

namespace Drex.Gateway.Apis;

/// <summary>The expected (non-exceptional) error results the handlers return.</summary>
internal static class ApiProblems
{
    public static NotFoundProblem NotFound(string title, string detail) => new(title, detail);

    public static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] });
}
