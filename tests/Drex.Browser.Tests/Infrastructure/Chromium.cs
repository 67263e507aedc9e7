using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Drex.Browser.Tests.Infrastructure;

/// <summary>
/// A headless Chromium started for the tests (Debian's <c>chromium</c> package), driven over the DevTools protocol;
/// a temporary profile, no network beyond what the page asks for, and everything removed on dispose.
/// </summary>
public sealed partial class Chromium : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";
    public const string InstallScript = "tests/Drex.Browser.Tests/install-chromium.sh";

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly StderrTail _stderr;

    private Chromium(Process process, DirectoryInfo profile, StderrTail stderr, CdpConnection connection)
    {
        _process = process;
        _profile = profile;
        _stderr = stderr;
        Connection = connection;
    }

    public CdpConnection Connection { get; }

    /// <summary>The binary: <c>DREX_CHROMIUM</c> when set, else <see cref="DefaultPath"/>.</summary>
    public static string ExecutablePath => Environment.GetEnvironmentVariable("DREX_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    /// <summary>Starts Chromium and connects to the DevTools URL it prints; fails with the install hint when it is missing.</summary>
    public static async Task<Chromium> LaunchAsync()
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {path}: the browser tests need it. Install it with {InstallScript} " +
                "(Debian's chromium package), or set DREX_CHROMIUM to a Chromium binary.");
        }

        var profile = Directory.CreateTempSubdirectory("drex-chromium-");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-default-browser-check",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars", "--window-size=1280,900", "--force-device-scale-factor=1",
            "--lang=en-US", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile.FullName}",
            "about:blank"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {path}.");
        var stderr = new StderrTail();
        var endpoint = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                endpoint.TrySetException(new InvalidOperationException($"Chromium exited before printing its DevTools URL:\n{stderr}"));
                return;
            }

            stderr.Add(line.Data);
            if (DevToolsUrl().Match(line.Data) is { Success: true } match)
            {
                endpoint.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            var url = await endpoint.Task.WaitAsync(TimeSpan.FromSeconds(60));
            var connection = await CdpConnection.ConnectAsync(url, CancellationToken.None);
            return new Chromium(process, profile, stderr, connection);
        }
        catch (Exception error)
        {
            Stop(process);
            TryDelete(profile);
            throw new InvalidOperationException($"Chromium did not start ({error.Message}). Its stderr:\n{stderr}", error);
        }
    }

    /// <summary>Opens a new tab and attaches to it (a flat session over the browser connection).</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var created = await Connection.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var targetId = created.GetProperty("targetId").GetString()!;
        var attached = await Connection.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = targetId, ["flatten"] = true });
        var page = new BrowserPage(Connection, targetId, attached.GetProperty("sessionId").GetString()!);
        await page.EnableAsync();
        return page;
    }

    /// <summary>The last lines Chromium wrote to stderr (for failure messages).</summary>
    public override string ToString() => _stderr.ToString();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Connection.SendAsync("Browser.close", timeout: TimeSpan.FromSeconds(5));
        }
        catch (Exception error) when (error is CdpException or TimeoutException)
        {
            // Already closing: the process is stopped below either way.
        }

        await Connection.DisposeAsync();
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            Stop(_process);
        }

        _process.Dispose();
        TryDelete(_profile);
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A helper process still writing: the temp folder is cleaned by the OS.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"DevTools listening on (ws://\S+)")]
    private static partial Regex DevToolsUrl();

    /// <summary>The last 50 stderr lines, thread-safe.</summary>
    private sealed class StderrTail
    {
        private readonly Queue<string> _lines = new();

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 50)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
