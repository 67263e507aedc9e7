using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Drex.Testing;

/// <summary>
/// An Azurite (Azure Storage emulator) process started from the repository's pinned npm package on free ports.
/// In memory by default; with a location it persists there and can be restarted on the same ports to test recovery.
/// </summary>
public sealed partial class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's well-known account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private static readonly string[] Services = ["Blob", "Queue", "Table"];

    private readonly string? _location;
    private readonly string _workingDirectory;
    private Process? _process;
    private readonly StringBuilder _output = new();

    private AzuriteServer(int blobPort, int queuePort, int tablePort, string? location)
    {
        (BlobPort, QueuePort, TablePort) = (blobPort, queuePort, tablePort);
        _location = location;
        _workingDirectory = location ?? Directory.CreateTempSubdirectory("drex-azurite-").FullName;
    }

    /// <summary>The blob service's port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service's port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service's port.</summary>
    public int TablePort { get; }

    /// <summary>The folder Azurite persists to; null when it keeps everything in memory.</summary>
    public string? Location => _location;

    /// <summary>A full connection string for the running server (blob, queue and table endpoints, well-known key).</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{AccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{AccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{AccountName};";

    /// <summary>The server's process id (node itself, not a launcher), or null when stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>
    /// Starts Azurite on free ports: in memory, or persisting to <paramref name="location"/> (created) when given.
    /// Returns once every service accepts connections; throws with Azurite's output when it does not within 20 s.
    /// </summary>
    public static async Task<AzuriteServer> StartAsync(string? location = null, CancellationToken cancellationToken = default)
    {
        if (location is not null)
        {
            Directory.CreateDirectory(location);
        }

        // Free ports are picked by binding port 0; another process could take one before Azurite binds it, so retry.
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts(3);
            var server = new AzuriteServer(ports[0], ports[1], ports[2], location);
            try
            {
                await server.LaunchAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (AzuriteStartException) when (attempt < 3)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// Stops the server: asks it to shut down (SIGTERM, so a persisting Azurite saves its metadata, which it otherwise
    /// does only every few seconds), then kills its whole process tree if it has not exited within 10 s. The ports
    /// and any location stay reserved for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited && !OperatingSystem.IsWindows() && NativeMethods.Kill(process.Id, NativeMethods.SigTerm) == 0)
            {
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // It did not stop in time: killed below.
                }
            }

            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>Stops the server and starts it again on the same ports (with a location, the data survives).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync().ConfigureAwait(false);
        await LaunchAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_location is null)
        {
            try
            {
                Directory.Delete(_workingDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless.
            }
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var executable = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed ({executable} is missing): run npm ci in the repo root.");
        }

        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        // Azurite prints "Azurite <Service> service is successfully listening at ..." once a port is bound: wait on that.
        var listening = Services.ToDictionary(s => s, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            foreach (var (service, signal) in listening)
            {
                if (line.Contains($"{service} service is successfully listening", StringComparison.Ordinal))
                {
                    signal.TrySetResult();
                }
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Exited += (_, _) => exited.TrySetResult();
        lock (_output)
        {
            _output.Clear();
        }

        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var ready = Task.WhenAll(listening.Values.Select(s => s.Task));
        try
        {
            var first = await Task.WhenAny(ready, exited.Task).WaitAsync(timeout.Token).ConfigureAwait(false);
            if (first != ready)
            {
                throw new AzuriteStartException($"Azurite exited with code {process.ExitCode} while starting.\n{Output()}");
            }

            foreach (var port in new[] { BlobPort, QueuePort, TablePort })
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
            throw new AzuriteStartException($"Azurite did not listen on ports {BlobPort}/{QueuePort}/{TablePort} within {StartTimeout.TotalSeconds:0} s.\n{Output()}");
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    private IEnumerable<string> Arguments()
    {
        yield return "--silent";
        yield return "--disableTelemetry";
        if (_location is null)
        {
            yield return "--inMemoryPersistence";
        }
        else
        {
            yield return "--location";
            yield return _location;
        }

        yield return "--blobHost";
        yield return "127.0.0.1";
        yield return "--blobPort";
        yield return BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--queueHost";
        yield return "127.0.0.1";
        yield return "--queuePort";
        yield return QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--tableHost";
        yield return "127.0.0.1";
        yield return "--tablePort";
        yield return TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private sealed class AzuriteStartException(string message) : Exception(message);

    private static partial class NativeMethods
    {
        public const int SigTerm = 15;

        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        public static partial int Kill(int pid, int signal);
    }
}
