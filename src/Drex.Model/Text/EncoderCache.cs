using System.Buffers;
using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Drex.Model.Text;

/// <summary>Settings of the <see cref="EncoderCache"/>.</summary>
public sealed record EncoderCacheOptions
{
    /// <summary>Folder of the pack files, one per encoder identity. Default: .drex/cache/encoder under the current directory.</summary>
    public string Directory { get; init; } = Path.Combine(Environment.CurrentDirectory, ".drex", "cache", "encoder");

    /// <summary>Misses handed to the encoder per call; each chunk is appended and flushed to disk before the next.</summary>
    public int ChunkSize { get; init; } = 512;
}

/// <summary>
/// An on-disk cache in front of an <see cref="IReviewEncoder"/>, keyed by (SHA-256 of the text, encoder identity).
/// Hits are read from disk; misses are encoded in length-sorted chunks and appended durably.
/// </summary>
/// <remarks>
/// One append-only pack file per identity, <c>{identity with [^A-Za-z0-9.-] as _}.pack</c>, little-endian:
/// header <c>"DRXENC01"</c>, int32 dimension, int32 identity byte count, identity UTF-8; then records
/// <c>uint32 "DREC", int32 body bytes, 32-byte SHA-256(UTF-8 text), int32 token count, body, 8-byte checksum</c>
/// where body = per piece (uint16 byte count, UTF-8) then token count x dimension float16 values, and the checksum is
/// the SHA-256 prefix of everything from "body bytes" to the end of the body. Opening scans the record headers to
/// build the index and cuts the file at the first record that is torn (past the end, bad marker, or, for the last
/// record, a bad checksum): a crash mid-append loses only that record. Every read verifies the checksum; a bad record
/// counts as a miss and is re-encoded. The file is opened exclusively: one process at a time. Thread-safe; two
/// concurrent calls may encode the same new text twice (the later record wins).
/// </remarks>
public sealed class EncoderCache : IReviewEncoder, IDisposable
{
    private const int Dimension = ReviewEncoder.Dimension;
    private const uint RecordMarker = 0x43455244; // "DREC" little-endian
    private const int RecordHeaderBytes = 4 + 4 + KeyBytes + 4;
    private const int ChecksumBytes = 8;
    private const int KeyBytes = 32;
    private static readonly byte[] FileMagic = "DRXENC01"u8.ToArray();

    private readonly IReviewEncoder _inner;
    private readonly int _chunkSize;
    private readonly SafeFileHandle _file;
    private readonly Dictionary<TextKey, Slot> _index = [];
    private readonly Lock _lock = new();
    private long _end;
    private long _hits;
    private long _misses;
    private int _disposed;

    /// <summary>Opens (or creates) the pack file of <paramref name="inner"/>'s identity and indexes it.</summary>
    /// <exception cref="IOException">Another process has the pack file open.</exception>
    /// <exception cref="InvalidDataException">The file is not a pack file of this identity.</exception>
    public EncoderCache(IReviewEncoder inner, EncoderCacheOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        options ??= new EncoderCacheOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkSize, 1, nameof(options.ChunkSize));

        _inner = inner;
        _chunkSize = options.ChunkSize;
        System.IO.Directory.CreateDirectory(options.Directory);
        FilePath = Path.Combine(options.Directory, FileName(inner.Identity));
        try
        {
            _file = File.OpenHandle(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"Encoder cache '{FilePath}' is in use by another process.", e);
        }

        try
        {
            Open();
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Identity => _inner.Identity;

    /// <summary>The pack file.</summary>
    public string FilePath { get; }

    /// <summary>Number of texts stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Bytes cut from the end of the file at open (a torn last record); 0 when the file was whole.</summary>
    public long TrimmedBytes { get; private set; }

    /// <summary>Texts served from disk since open.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Texts handed to the encoder since open.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <inheritdoc />
    public IReadOnlyList<EncodedText> Encode(
        IReadOnlyList<string> texts, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        var results = new EncodedText[texts.Count];
        var keys = new TextKey[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(texts[i]))
            {
                results[i] = EncodedText.Empty;
            }
            else
            {
                keys[i] = TextKey.Of(texts[i]);
            }
        }

        var hits = new List<(int Index, Slot Slot)>();
        var misses = new Dictionary<TextKey, List<int>>();
        lock (_lock)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                if (results[i] is null)
                {
                    if (_index.TryGetValue(keys[i], out var slot))
                    {
                        hits.Add((i, slot));
                    }
                    else
                    {
                        AddMiss(misses, keys[i], i);
                    }
                }
            }
        }

        // File order keeps the reads sequential.
        hits.Sort((a, b) => a.Slot.Offset.CompareTo(b.Slot.Offset));
        var served = 0;
        foreach (var (index, slot) in hits)
        {
            if (Read(slot) is { } encoded)
            {
                results[index] = encoded;
                served++;
            }
            else
            {
                AddMiss(misses, keys[index], index);
            }
        }

        Interlocked.Add(ref _hits, served);
        var done = texts.Count - misses.Values.Sum(m => m.Count);
        if (done > 0)
        {
            progress?.Report(done);
        }

        // Character length stands in for token length so a chunk's texts batch well inside the encoder.
        var pending = misses.OrderBy(m => texts[m.Value[0]].Length).ThenBy(m => m.Value[0]).ToList();
        for (var start = 0; start < pending.Count; start += _chunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = pending.GetRange(start, Math.Min(_chunkSize, pending.Count - start));
            var chunkProgress = progress is null ? null : new OffsetProgress(progress, done);
            var encoded = _inner.Encode(chunk.ConvertAll(m => texts[m.Value[0]]), chunkProgress, cancellationToken);
            Append(chunk.ConvertAll(m => m.Key), encoded);

            for (var i = 0; i < chunk.Count; i++)
            {
                foreach (var index in chunk[i].Value)
                {
                    results[index] = encoded[i];
                }

                done += chunk[i].Value.Count;
            }

            Interlocked.Add(ref _misses, chunk.Count);
            progress?.Report(done);
        }

        return results;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _file.Dispose();
        }
    }

    private static void AddMiss(Dictionary<TextKey, List<int>> misses, TextKey key, int index)
    {
        ref var indices = ref CollectionsMarshal.GetValueRefOrAddDefault(misses, key, out _);
        (indices ??= []).Add(index);
    }

    private static string FileName(string identity)
    {
        var name = string.Create(identity.Length, identity, static (span, id) =>
        {
            for (var i = 0; i < id.Length; i++)
            {
                span[i] = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '.' or '-' ? id[i] : '_';
            }
        });
        return name + ".pack";
    }

    private void Open()
    {
        var identity = Encoding.UTF8.GetBytes(Identity);
        var header = new byte[FileMagic.Length + 8 + identity.Length];
        FileMagic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(FileMagic.Length), Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(FileMagic.Length + 4), identity.Length);
        identity.CopyTo(header, FileMagic.Length + 8);

        var length = RandomAccess.GetLength(_file);
        var existing = new byte[(int)Math.Min(length, header.Length)];
        RandomAccess.Read(_file, existing, 0);
        if (length < header.Length && header.AsSpan().StartsWith(existing))
        {
            // New file, or a crash while writing its header.
            RandomAccess.SetLength(_file, 0);
            RandomAccess.Write(_file, header, 0);
            RandomAccess.FlushToDisk(_file);
            _end = header.Length;
            return;
        }

        if (!existing.AsSpan().SequenceEqual(header))
        {
            throw new InvalidDataException($"'{FilePath}' is not an encoder cache of '{Identity}' (dimension {Dimension}).");
        }

        _end = Scan(header.Length, length);
        if (_end < length)
        {
            TrimmedBytes = length - _end;
            RandomAccess.SetLength(_file, _end);
            RandomAccess.FlushToDisk(_file);
        }
    }

    /// <summary>Indexes the records from <paramref name="offset"/>; returns where the last whole record ends.</summary>
    private long Scan(long offset, long length)
    {
        Span<byte> head = stackalloc byte[RecordHeaderBytes];
        var records = new List<(TextKey Key, Slot Slot)>();
        while (offset + RecordHeaderBytes + ChecksumBytes <= length)
        {
            RandomAccess.Read(_file, head, offset);
            var bodyBytes = BinaryPrimitives.ReadInt32LittleEndian(head[4..]);
            var recordBytes = (long)RecordHeaderBytes + bodyBytes + ChecksumBytes;
            if (BinaryPrimitives.ReadUInt32LittleEndian(head) != RecordMarker || bodyBytes < 0 || offset + recordBytes > length)
            {
                break;
            }

            records.Add((TextKey.From(head.Slice(8, KeyBytes)), new Slot(offset, (int)recordBytes)));
            offset += recordBytes;
        }

        // Only the last record can be half-written by a crash of this (single) writer.
        if (records.Count > 0 && Read(records[^1].Slot) is null)
        {
            offset = records[^1].Slot.Offset;
            records.RemoveAt(records.Count - 1);
        }

        foreach (var (key, slot) in records)
        {
            _index[key] = slot;
        }

        return offset;
    }

    private EncodedText? Read(Slot slot)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(slot.Length);
        try
        {
            var record = buffer.AsSpan(0, slot.Length);
            if (RandomAccess.Read(_file, record, slot.Offset) != slot.Length || !ChecksumMatches(record))
            {
                return null;
            }

            var tokens = BinaryPrimitives.ReadInt32LittleEndian(record[(8 + KeyBytes)..]);
            var body = record[RecordHeaderBytes..^ChecksumBytes];
            if (tokens < 0 || (long)tokens * Dimension * 2 > body.Length)
            {
                return null;
            }

            var pieces = new string[tokens];
            for (var t = 0; t < tokens; t++)
            {
                int bytes = BinaryPrimitives.ReadUInt16LittleEndian(body);
                pieces[t] = Encoding.UTF8.GetString(body.Slice(2, bytes));
                body = body[(2 + bytes)..];
            }

            var vectors = new float[tokens * Dimension];
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(body), vectors);
            return new EncodedText(pieces, vectors);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Append(List<TextKey> keys, IReadOnlyList<EncodedText> encoded)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            var slots = new Slot[keys.Count];
            var offset = _end;
            for (var i = 0; i < keys.Count; i++)
            {
                slots[i] = new Slot(offset, Write(offset, keys[i], encoded[i]));
                offset += slots[i].Length;
            }

            // Index only what is on disk: a failed flush leaves the index as it was.
            RandomAccess.FlushToDisk(_file);
            _end = offset;
            for (var i = 0; i < keys.Count; i++)
            {
                _index[keys[i]] = slots[i];
            }
        }
    }

    private int Write(long offset, TextKey key, EncodedText encoded)
    {
        var bodyBytes = encoded.Vectors.Length * 2;
        foreach (var piece in encoded.Pieces)
        {
            bodyBytes += 2 + Encoding.UTF8.GetByteCount(piece);
        }

        var recordBytes = RecordHeaderBytes + bodyBytes + ChecksumBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(recordBytes);
        try
        {
            var record = buffer.AsSpan(0, recordBytes);
            BinaryPrimitives.WriteUInt32LittleEndian(record, RecordMarker);
            BinaryPrimitives.WriteInt32LittleEndian(record[4..], bodyBytes);
            key.CopyTo(record.Slice(8, KeyBytes));
            BinaryPrimitives.WriteInt32LittleEndian(record[(8 + KeyBytes)..], encoded.Length);

            var body = record[RecordHeaderBytes..];
            foreach (var piece in encoded.Pieces)
            {
                var bytes = Encoding.UTF8.GetBytes(piece, body[2..]);
                BinaryPrimitives.WriteUInt16LittleEndian(body, checked((ushort)bytes));
                body = body[(2 + bytes)..];
            }

            TensorPrimitives.ConvertToHalf(encoded.Vectors, MemoryMarshal.Cast<byte, Half>(body));
            Checksum(record[4..^ChecksumBytes], record[^ChecksumBytes..]);
            RandomAccess.Write(_file, record, offset);
            return recordBytes;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool ChecksumMatches(ReadOnlySpan<byte> record)
    {
        Span<byte> expected = stackalloc byte[ChecksumBytes];
        Checksum(record[4..^ChecksumBytes], expected);
        return expected.SequenceEqual(record[^ChecksumBytes..]);
    }

    private static void Checksum(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(data, hash);
        hash[..ChecksumBytes].CopyTo(destination);
    }

    private readonly record struct Slot(long Offset, int Length);

    private readonly record struct TextKey(UInt128 High, UInt128 Low)
    {
        public static TextKey Of(string text)
        {
            Span<byte> hash = stackalloc byte[KeyBytes];
            var bytes = Encoding.UTF8.GetByteCount(text);
            var buffer = ArrayPool<byte>.Shared.Rent(bytes);
            try
            {
                SHA256.HashData(buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer)), hash);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return From(hash);
        }

        public static TextKey From(ReadOnlySpan<byte> hash) => new(
            BinaryPrimitives.ReadUInt128BigEndian(hash), BinaryPrimitives.ReadUInt128BigEndian(hash[16..]));

        public void CopyTo(Span<byte> destination)
        {
            BinaryPrimitives.WriteUInt128BigEndian(destination, High);
            BinaryPrimitives.WriteUInt128BigEndian(destination[16..], Low);
        }
    }

    private sealed class OffsetProgress(IProgress<int> inner, int offset) : IProgress<int>
    {
        public void Report(int value) => inner.Report(offset + value);
    }
}
