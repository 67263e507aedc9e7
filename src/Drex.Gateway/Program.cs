using System.Text.Json.Serialization;
using Drex.Contracts;
using Drex.Gateway;
using Drex.Gateway.Apis;
using Drex.Gateway.Errors;
using Drex.Gateway.Hosting;
using Drex.Gateway.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddDrexOrleansClient();

builder.Services.AddOptions<GatewayOptions>()
    .BindConfiguration(GatewayOptions.Section)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.TryAddSingleton<GrainReferences>();

// Every error is a ProblemDetails; binding failures throw so the exception handler words them (instead of an empty 400).
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemTypes.Apply);
builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
    options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    options.SerializerOptions.AllowDuplicateProperties = false;
});

builder.Services.AddSingleton<ApiKeyStore>();
builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(GatewayPolicies.Ingest, policy => policy.RequireRole(GatewayRoles.Ingest, GatewayRoles.Admin))
    .AddPolicy(GatewayPolicies.Read, policy => policy.RequireRole(GatewayRoles.Read, GatewayRoles.Admin))
    .AddPolicy(GatewayPolicies.Admin, policy => policy.RequireRole(GatewayRoles.Admin))
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
builder.Services.AddGatewayRateLimiting();

builder.Services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
builder.Services.AddOpenApi(options =>
{
    options.AddDocumentTransformer<ApiKeySecuritySchemeTransformer>();
    options.CreateSchemaReferenceId = type => OpenApiOptions.CreateDefaultSchemaReferenceId(type) is { } id && id.EndsWith("Dto", StringComparison.Ordinal)
        ? id[..^3]
        : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
});

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

// The demo page (wwwroot): its files load without a key, before routing and authorization; its API calls send one.
// no-cache: browsers revalidate (ETag) so a new gateway never runs with an old page's scripts.
app.UseDefaultFiles();
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache" });
app.UseRouting();
app.UseEscapedSlashRouteValues();
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();
app.UseRequestBodyLimits();

app.MapOpenApi().AllowAnonymous();
app.MapScalarApiReference(options => options.WithTitle("DReX API")).AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();

// What the demo page needs before its first API call: the rating range and, in Development with no keys configured
// (the only case where they work), the development keys it should send.
app.MapGet("/ui/config", (IHostEnvironment environment, IOptions<GatewayOptions> options) => TypedResults.Ok(new
{
    options.Value.RatingMin,
    options.Value.RatingMax,
    options.Value.MaxReviewLength,
    DevelopmentKeys = environment.IsDevelopment() && options.Value.ApiKeys.Count == 0
        ? new
        {
            Read = ApiKeyStore.DevelopmentKeys.First(k => k.Roles.Contains(GatewayRoles.Read)).Key,
            Ingest = ApiKeyStore.DevelopmentKeys.First(k => k.Roles.Contains(GatewayRoles.Ingest)).Key,
        }
        : null,
})).AllowAnonymous().ExcludeFromDescription();

var api = app.MapGroup("/api")
    .RequireRateLimiting(GatewayRateLimiting.PerKeyPolicy)
    .ProducesProblem(StatusCodes.Status400BadRequest)
    .ProducesProblem(StatusCodes.Status401Unauthorized)
    .ProducesProblem(StatusCodes.Status403Forbidden)
    .ProducesProblem(StatusCodes.Status429TooManyRequests);
api.MapInteractionsApi();
api.MapActorsApi();
api.MapRecommendationsApi();
api.MapModelApi();

app.Run();

/// <summary>The gateway's entry point (public for <c>WebApplicationFactory</c>).</summary>
public partial class Program;
