using Drex.Model.Bundle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drex.Storage.Bundles;

/// <summary>
/// A host's folder of the bundles a <see cref="BlobBundleStore"/> downloaded, one folder per version as
/// <see cref="FolderBundleStore"/> lays them out, so a bundle loads as a folder: its snapshot is mapped, and the silos
/// of a host that share the folder share one copy of it in the page cache instead of each downloading it into memory
/// of its own.
/// <list type="bullet">
/// <item>The blob store's manifest decides: a folder is used only when its manifest is the blob's byte for byte, and
/// a load verifies every file as any folder bundle's. A stale or damaged folder is deleted and downloaded again.</item>
/// <item>One process of a host downloads a version while the others wait for it on a lock file. The files go to a
/// staging folder that is renamed into place, so a version's folder is complete once it exists.</item>
/// <item>Each file is written up to the size its manifest gives it, so a wrong blob cannot fill the disk.</item>
/// <item>The newest <see cref="Keep"/> versions stay. Older ones are deleted; a process that maps one keeps reading
/// it, since a file is only removed once nothing has it open.</item>
/// </list>
/// </summary>
public sealed partial class LocalBundleCache
{
    /// <summary>How many versions stay unless configured otherwise.</summary>
    public const int DefaultKeep = 4;

    private const string LockSuffix = ".lock";
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan AbandonedStagingAge = TimeSpan.FromHours(1);
    private readonly ILogger _logger;

    /// <summary>Creates a cache over a folder (created on the first download).</summary>
    public LocalBundleCache(string root, int keep = DefaultKeep, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        Root = Path.GetFullPath(root);
        Keep = keep;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The cache folder's full path.</summary>
    public string Root { get; }

    /// <summary>How many of the newest versions are kept.</summary>
    public int Keep { get; }

    /// <summary>
    /// Loads <paramref name="version"/> from its folder, first downloading its files through
    /// <paramref name="openFile"/> (null for a missing file) unless the folder holds exactly
    /// <paramref name="manifest"/>'s bundle. One process of the host downloads a version while the others wait for it
    /// (a lock file, released by the system if the process dies).
    /// </summary>
    /// <exception cref="InvalidDataException">The downloaded bundle is corrupt, incomplete or larger than its manifest says.</exception>
    public async Task<ModelBundle> LoadAsync(
        string version, byte[] manifest, Func<string, CancellationToken, Task<Stream?>> openFile, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(openFile);
        var folder = Path.Combine(Root, BundleFiles.ValidateVersion(version));
        DateTime? damaged = null; // the write time of a copy that failed verification
        while (true)
        {
            var downloaded = false;
            if (damaged is not null || !await HoldsAsync(folder, manifest, cancellationToken).ConfigureAwait(false))
            {
                Directory.CreateDirectory(Root);
                await using var hostLock = await LockAsync(folder + LockSuffix, cancellationToken).ConfigureAwait(false);

                // Another process may have downloaded it meanwhile: only a missing, stale or still damaged copy is replaced.
                if (!await HoldsAsync(folder, manifest, cancellationToken).ConfigureAwait(false) || Directory.GetLastWriteTimeUtc(folder) == damaged)
                {
                    if (Directory.Exists(folder))
                    {
                        if (damaged is null)
                        {
                            LogStale(_logger, folder);
                        }

                        TryDelete(folder);
                    }

                    await DownloadAsync(folder, manifest, openFile, cancellationToken).ConfigureAwait(false);
                    downloaded = true;
                    Prune(except: folder);
                }
            }

            var written = Directory.GetLastWriteTimeUtc(folder);
            try
            {
                return await ModelBundle.LoadAsync(folder, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (!downloaded && damaged is null)
            {
                LogDamaged(_logger, folder, e.Message);
                damaged = written;
            }
            catch (InvalidDataException) when (downloaded)
            {
                // The store's own copy is bad: keep nothing of it.
                TryDelete(folder);
                throw;
            }
        }
    }

    /// <summary>Whether the folder holds the bundle of this manifest (its files are verified when it is loaded).</summary>
    private static async Task<bool> HoldsAsync(string folder, byte[] manifest, CancellationToken cancellationToken)
    {
        byte[] stored;
        try
        {
            stored = await File.ReadAllBytesAsync(Path.Combine(folder, BundleManifest.FileName), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        return stored.AsSpan().SequenceEqual(manifest);
    }

    /// <summary>
    /// Takes the host-wide lock of a version: a file opened for exclusive use (an advisory <c>flock</c> on Unix), which
    /// the system releases when the process exits however it exits. Waiting polls, as no wait on another process's
    /// lock can be cancelled.
    /// </summary>
    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException e) when (HeldElsewhere(e))
            {
                await Task.Delay(LockPoll, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Another process holds the file: EWOULDBLOCK from flock on Linux (11) and macOS (35), a sharing violation on Windows.</summary>
    private static bool HeldElsewhere(IOException e) => e.HResult is 11 or 35 or unchecked((int)0x80070020);

    private static async Task DownloadAsync(
        string folder, byte[] manifestBytes, Func<string, CancellationToken, Task<Stream?>> openFile, CancellationToken cancellationToken)
    {
        var manifest = BundleManifest.Read(manifestBytes);
        var staging = folder + BundleFiles.StagingMarker + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var name in ModelBundle.ContentFiles)
            {
                var announced = manifest.Listed(name).Bytes;
                await using var source = await openFile(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidDataException($"The model bundle is missing {name}.");
                await using var target = new FileStream(
                    Path.Combine(staging, name), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
                await CopyAtMostAsync(source, target, announced, name, cancellationToken).ConfigureAwait(false);
            }

            await File.WriteAllBytesAsync(Path.Combine(staging, BundleManifest.FileName), manifestBytes, cancellationToken).ConfigureAwait(false);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process renamed its copy into place first (only if a prune removed the lock file meanwhile);
                // the load verifies that one.
            }
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private static async Task CopyAtMostAsync(Stream source, Stream target, long limit, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        var copied = 0L;
        for (int read; (read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0;)
        {
            copied += read;
            if (copied > limit)
            {
                throw new InvalidDataException($"{name} is longer than the {limit} bytes its manifest says.");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes all but the newest <see cref="Keep"/> versions, and staging folders a crashed process left.</summary>
    private void Prune(string except)
    {
        try
        {
            var folders = new DirectoryInfo(Root).GetDirectories();
            var abandoned = DateTime.UtcNow - AbandonedStagingAge;
            foreach (var staging in folders.Where(f => f.Name.Contains(BundleFiles.StagingMarker, StringComparison.Ordinal) && f.LastWriteTimeUtc < abandoned))
            {
                TryDelete(staging.FullName);
            }

            var versions = folders.Where(f => !f.Name.Contains(BundleFiles.StagingMarker, StringComparison.Ordinal))
                .OrderByDescending(f => f.LastWriteTimeUtc);
            foreach (var old in versions.Skip(Keep).Where(f => f.FullName != except))
            {
                TryDelete(old.FullName);
                File.Delete(old.FullName + LockSuffix);
                LogPruned(_logger, old.Name, Root);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPruneFailed(_logger, Root, e.Message);
        }
    }

    /// <summary>Deletes a folder if it can: one in use elsewhere (Windows) or already gone is left to a later prune.</summary>
    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached model bundle {Folder} failed verification ({Reason}); downloading it again.")]
    private static partial void LogDamaged(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached model bundle {Folder} is not the store's bundle of that version; downloading it again.")]
    private static partial void LogStale(ILogger logger, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed model bundle {Version} from the local cache {Root}.")]
    private static partial void LogPruned(ILogger logger, string version, string root);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not prune the local model bundle cache {Root}: {Reason}")]
    private static partial void LogPruneFailed(ILogger logger, string root, string reason);
}
