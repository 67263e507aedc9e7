namespace Drex.Silo;

/// <summary>How silos find each other.</summary>
public enum ClusteringKind
{
    /// <summary>Development clustering on this machine: one silo, or several pointing at a primary silo's port.</summary>
    Localhost,

    /// <summary>Membership in an Azure Storage table (Azure or Azurite), from <c>Drex:Storage:ConnectionString</c>.</summary>
    AzureTable,
}

/// <summary>The configuration section <c>Orleans</c>: the silo's identity, clustering and ports.</summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section the options bind to.</summary>
    public const string SectionName = "Orleans";

    /// <summary>The cluster this silo joins; silos and clients of one deployment share it.</summary>
    public string ClusterId { get; set; } = "drex";

    /// <summary>The service's stable identity: grain state is keyed by it, so it never changes across deployments.</summary>
    public string ServiceId { get; set; } = "drex";

    /// <summary>How silos find each other.</summary>
    public ClusteringKind Clustering { get; set; } = ClusteringKind.Localhost;

    /// <summary>The port silos talk to each other on.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients (the gateway) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Localhost clustering: the primary silo's port (unset: this silo is the primary).</summary>
    public int? PrimarySiloPort { get; set; }

    /// <summary>AzureTable clustering: the address other silos reach this one at (unset: this host's address; a pod IP in Kubernetes).</summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the invalid setting.</summary>
    public SiloOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOperationException($"Configuration {SectionName}:ClusterId and {SectionName}:ServiceId must not be empty.");
        }

        foreach (var (name, port) in new[] { (nameof(SiloPort), SiloPort), (nameof(GatewayPort), GatewayPort), (nameof(PrimarySiloPort), PrimarySiloPort ?? 1) })
        {
            if (port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"Configuration {SectionName}:{name} is {port}; a port is 1 to 65535.");
            }
        }

        if (SiloPort == GatewayPort)
        {
            throw new InvalidOperationException($"Configuration {SectionName}:SiloPort and {SectionName}:GatewayPort are both {SiloPort}.");
        }

        if (AdvertisedIPAddress is { Length: > 0 } address && !System.Net.IPAddress.TryParse(address, out _))
        {
            throw new InvalidOperationException($"Configuration {SectionName}:AdvertisedIPAddress '{address}' is not an IP address.");
        }

        return this;
    }
}

/// <summary>The configuration section <c>Drex:Silo</c>: the silo process's own HTTP port and telemetry.</summary>
public sealed class SiloHostOptions
{
    /// <summary>The configuration section the options bind to.</summary>
    public const string SectionName = "Drex:Silo";

    /// <summary>The HTTP port of the health endpoints.</summary>
    public int HttpPort { get; set; } = 8081;

    /// <summary>Where metrics go: <c>None</c>, or <c>Console</c> (printed every <see cref="MetricsIntervalSeconds"/>).</summary>
    public string MetricsExporter { get; set; } = "None";

    /// <summary>Seconds between metric exports.</summary>
    public int MetricsIntervalSeconds { get; set; } = 60;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the invalid setting.</summary>
    public SiloHostOptions Validate()
    {
        if (HttpPort is < 1 or > 65535)
        {
            throw new InvalidOperationException($"Configuration {SectionName}:HttpPort is {HttpPort}; a port is 1 to 65535.");
        }

        if (!MetricsExporter.Equals("None", StringComparison.OrdinalIgnoreCase) && !MetricsExporter.Equals("Console", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Configuration {SectionName}:MetricsExporter is '{MetricsExporter}'; use None or Console.");
        }

        if (MetricsIntervalSeconds < 1)
        {
            throw new InvalidOperationException($"Configuration {SectionName}:MetricsIntervalSeconds must be at least 1.");
        }

        return this;
    }
}
