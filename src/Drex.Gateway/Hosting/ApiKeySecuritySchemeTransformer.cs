using Drex.Gateway.Security;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Drex.Gateway.Hosting;

/// <summary>Declares the <c>X-Api-Key</c> header in the OpenAPI document so the API page can send it.</summary>
internal sealed class ApiKeySecuritySchemeTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyAuthenticationHandler.SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "An API key with the role the operation needs: ingest (POST interactions), read (GETs) or admin (everything).",
        };
        document.Security =
        [
            new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            },
        ];
        return Task.CompletedTask;
    }
}
