using System.IO.Compression;
using System.Text;

namespace Drex.Trainer.Tests.Data;

/// <summary>A fresh temporary folder for fixture files, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "drex-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes UTF-8 text exactly as given (no added newline); gzip-compressed when <paramref name="gzip"/>.</summary>
    public string Write(string name, string text, bool gzip = false)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var bytes = Encoding.UTF8.GetBytes(text);
        using var file = File.Create(path);
        if (gzip)
        {
            using var zip = new GZipStream(file, CompressionLevel.Fastest);
            zip.Write(bytes);
        }
        else
        {
            file.Write(bytes);
        }

        return path;
    }

    /// <summary>Writes lines, each ended by "\n".</summary>
    public string WriteLines(string name, IEnumerable<string> lines, bool gzip = false) =>
        Write(name, string.Concat(lines.Select(l => l + "\n")), gzip);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
