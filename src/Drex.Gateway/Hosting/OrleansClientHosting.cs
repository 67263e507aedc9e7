using Azure.Data.Tables;
using Orleans.Configuration;

namespace Drex.Gateway.Hosting;

/// <summary>
/// The Orleans client, from the <c>Orleans</c> configuration section: <c>Clustering</c> is <c>Localhost</c> (gateway
/// port <c>GatewayPort</c>, default 30000, or a list in <c>GatewayPorts</c>) or <c>AzureTable</c> (connection string
/// from <c>Drex:Storage:ConnectionString</c>); <c>ClusterId</c> and <c>ServiceId</c> default to "drex". A provider
/// section in Orleans' own format (<c>Orleans:Clustering:ProviderType</c>) is left to Orleans.
/// </summary>
public static class OrleansClientHosting
{
    public const string Section = "Orleans";
    public const string DefaultId = "drex";
    public const int DefaultGatewayPort = 30000;

    public static WebApplicationBuilder AddDrexOrleansClient(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        var clusteringSection = section.GetSection("Clustering");
        var clustering = clusteringSection.Value ?? (clusteringSection.GetChildren().Any() ? null : "Localhost");
        if (clusteringSection.Value is not null)
        {
            // Orleans reads Orleans:Clustering itself and expects a provider section there, not a word: hide the word.
            builder.Configuration.AddInMemoryCollection([new($"{Section}:Clustering", null)]);
        }
        var clusterId = section["ClusterId"] ?? DefaultId;
        var serviceId = section["ServiceId"] ?? DefaultId;
        var connectTimeout = TimeSpan.FromSeconds(section.GetValue("ConnectTimeoutSeconds", 60));

        builder.UseOrleansClient(client =>
        {
            if (clustering is null)
            {
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = clusterId;
                    options.ServiceId = serviceId;
                });
            }
            else if (string.Equals(clustering, "Localhost", StringComparison.OrdinalIgnoreCase))
            {
                var ports = section.GetSection("GatewayPorts").Get<int[]>() is { Length: > 0 } list
                    ? list
                    : [section.GetValue("GatewayPort", DefaultGatewayPort)];
                client.UseLocalhostClustering(ports, serviceId, clusterId);
            }
            else if (string.Equals(clustering, "AzureTable", StringComparison.OrdinalIgnoreCase))
            {
                var connectionString = builder.Configuration["Drex:Storage:ConnectionString"];
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Orleans:Clustering is AzureTable but Drex:Storage:ConnectionString is not set.");
                }

                client.UseAzureStorageClustering(options => options.TableServiceClient = new TableServiceClient(connectionString));
                client.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = clusterId;
                    options.ServiceId = serviceId;
                });
            }
            else
            {
                throw new InvalidOperationException(
                    $"Orleans:Clustering must be Localhost or AzureTable, not '{clustering}'.");
            }

            // The cluster may start after the gateway (compose, Kubernetes): keep trying for a while, then fail the start.
            var started = DateTimeOffset.UtcNow;
            client.UseConnectionRetryFilter(async (_, cancellationToken) =>
            {
                if (DateTimeOffset.UtcNow - started > connectTimeout)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return true;
            });
        });
        return builder;
    }
}
