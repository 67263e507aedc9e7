using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Drex.Model.Bundle;

/// <summary>
/// The bytes of an actor snapshot file, outside the managed heap: the file itself mapped read-only into memory, or a
/// copy of one that arrived as a stream (blob storage) or was built in memory. A snapshot is read where it lies:
/// <see cref="ActorColumns"/> keep row offsets and an id index beside these bytes, not a parsed copy of every state.
/// A million-item model is ~300 MB that the silos of one host share through the page cache, instead of a private
/// copy each silo must allocate and fault in on every load.
/// </summary>
/// <remarks>
/// Every read goes through <see cref="Pin"/>, which holds a reference on the buffer while it runs; the mapping or the
/// native memory is released once nothing references these bytes any more (or on <see cref="Dispose"/>, after which a
/// read throws <see cref="ObjectDisposedException"/> rather than touching freed memory). A mapped bundle file must not
/// be changed in place: bundles are written once, beside their final name, and renamed.
/// </remarks>
public sealed class SnapshotBytes : IDisposable
{
    private readonly SafeBuffer _buffer;

    private SnapshotBytes(SafeBuffer buffer, long length)
    {
        _buffer = buffer;
        Length = length;
    }

    public long Length { get; }

    /// <summary>Maps a snapshot file read-only (an empty file is refused: no snapshot is empty).</summary>
    public static SnapshotBytes Map(string path)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new InvalidDataException("The actor snapshot is empty.");
        }

        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        return new SnapshotBytes(view.SafeMemoryMappedViewHandle, length);
    }

    /// <summary>A copy of <paramref name="bytes"/>.</summary>
    public static unsafe SnapshotBytes Copy(ReadOnlySpan<byte> bytes)
    {
        var memory = NativeBytes.Allocate(bytes.Length);
        bytes.CopyTo(new Span<byte>((void*)memory.DangerousGetHandle(), bytes.Length));
        return new SnapshotBytes(memory, bytes.Length);
    }

    /// <summary>
    /// Reads a stream to its end. More than <paramref name="maxLength"/> bytes is refused without reading them all:
    /// the buffer grows as bytes arrive, so a length announced by a corrupt manifest allocates nothing in advance.
    /// </summary>
    public static async Task<SnapshotBytes> ReadAsync(Stream stream, long maxLength, CancellationToken cancellationToken = default)
    {
        var memory = NativeBytes.Allocate(Math.Clamp(maxLength, 1, 1 << 20));
        try
        {
            var length = 0L;
            var chunk = new byte[1 << 20];
            for (int read; (read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0;)
            {
                if (length + read > maxLength)
                {
                    throw new InvalidDataException($"The actor snapshot is longer than the {maxLength} bytes announced.");
                }

                memory.Append(ref length, chunk.AsSpan(0, read), maxLength);
            }

            return new SnapshotBytes(memory, length);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>The SHA-256 of every byte.</summary>
    public unsafe byte[] Sha256()
    {
        using var pin = Pin();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var offset = 0L; offset < Length; offset += int.MaxValue)
        {
            hash.AppendData(new ReadOnlySpan<byte>(pin.Pointer + offset, (int)Math.Min(int.MaxValue, Length - offset)));
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Holds the bytes in place until disposed; read them through <see cref="Pinned.Pointer"/> meanwhile.</summary>
    internal Pinned Pin() => new(_buffer);

    public void Dispose() => _buffer.Dispose();

    internal readonly unsafe ref struct Pinned
    {
        private readonly SafeBuffer _buffer;

        public Pinned(SafeBuffer buffer)
        {
            byte* pointer = null;
            buffer.AcquirePointer(ref pointer);
            _buffer = buffer;
            Pointer = pointer;
        }

        public byte* Pointer { get; }

        public void Dispose() => _buffer.ReleasePointer();
    }

    /// <summary>Native memory that tells the GC what it holds, so dropped snapshots are collected in time.</summary>
    private sealed unsafe class NativeBytes : SafeBuffer
    {
        private long _capacity;

        private NativeBytes()
            : base(ownsHandle: true)
        {
        }

        public static NativeBytes Allocate(long capacity)
        {
            var bytes = new NativeBytes();
            bytes.SetHandle((nint)NativeMemory.Alloc((nuint)Math.Max(capacity, 1)));
            bytes._capacity = Math.Max(capacity, 1);
            bytes.Initialize((ulong)bytes._capacity);
            GC.AddMemoryPressure(bytes._capacity);
            return bytes;
        }

        /// <summary>Appends at <paramref name="length"/>, growing (by doubling, up to <paramref name="limit"/>) when full.</summary>
        public void Append(ref long length, ReadOnlySpan<byte> bytes, long limit)
        {
            if (length + bytes.Length > _capacity)
            {
                var capacity = Math.Min(Math.Max(_capacity * 2, length + bytes.Length), limit);
                SetHandle((nint)NativeMemory.Realloc((void*)handle, (nuint)capacity));
                GC.AddMemoryPressure(capacity - _capacity);
                _capacity = capacity;
                Initialize((ulong)capacity);
            }

            bytes.CopyTo(new Span<byte>((byte*)handle + length, bytes.Length));
            length += bytes.Length;
        }

        protected override bool ReleaseHandle()
        {
            NativeMemory.Free((void*)handle);
            GC.RemoveMemoryPressure(_capacity);
            return true;
        }
    }
}
