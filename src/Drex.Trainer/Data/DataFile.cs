using System.IO.Compression;

namespace Drex.Trainer.Data;

/// <summary>Opens dataset files, decompressing gzip by its magic bytes whatever the extension says.</summary>
internal static class DataFile
{
    private const int BufferSize = 1 << 16;

    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            Span<byte> magic = stackalloc byte[2];
            var n = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b
                ? new BufferedStream(new GZipStream(file, CompressionMode.Decompress), BufferSize)
                : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The path of <paramref name="name"/> in <paramref name="folder"/>, plain or with ".gz"; null when neither exists.</summary>
    public static string? FindInFolder(string folder, string name)
    {
        var plain = Path.Combine(folder, name);
        if (File.Exists(plain))
        {
            return plain;
        }

        var gz = plain + ".gz";
        return File.Exists(gz) ? gz : null;
    }
}
