using System.Net;
using System.Text.Json;

namespace Drex.Gateway.Tests.Infrastructure;

/// <summary>Assertions on ProblemDetails bodies, not only on status codes.</summary>
public static class Problems
{
    public const string ValidationType = "https://tools.ietf.org/html/rfc9110#section-15.5.1";

    /// <summary>Asserts a ProblemDetails response with this status, title and type; returns the body.</summary>
    public static async Task<JsonElement> AssertProblemAsync(
        HttpResponseMessage response, HttpStatusCode status, string title, string? type = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.Equal(title, body.GetProperty("title").GetString());
        var actualType = body.GetProperty("type").GetString();
        if (type is null)
        {
            Assert.StartsWith("https://tools.ietf.org/html/", actualType);
        }
        else
        {
            Assert.Equal(type, actualType);
        }

        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        return body;
    }

    /// <summary>Asserts a 400 validation problem whose <c>errors</c> name exactly <paramref name="fields"/>.</summary>
    public static async Task<JsonElement> AssertValidationProblemAsync(HttpResponseMessage response, string title, params string[] fields)
    {
        var body = await AssertProblemAsync(response, HttpStatusCode.BadRequest, title, ValidationType);
        var errors = body.GetProperty("errors");
        Assert.Equal(fields.Order(StringComparer.Ordinal), errors.EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        foreach (var error in errors.EnumerateObject())
        {
            Assert.Contains(error.Value.EnumerateArray(), m => !string.IsNullOrWhiteSpace(m.GetString()));
        }

        return body;
    }

    public static async Task<T> ReadOkAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, JsonSerializerOptions.Web)!;
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
