using System.Buffers;
using Orleans.Serialization;
using Orleans.Storage;

namespace Drex.Grains.Services;

/// <summary>
/// Orleans' binary grain-state format (the same bytes as <see cref="OrleansGrainStorageSerializer"/>, so states stored
/// by either read back with the other), written into a buffer each thread keeps and copied out once at its final size.
/// </summary>
/// <remarks>
/// Why: Orleans' serializer writes every state into a new <see cref="ArrayBufferWriter{T}"/> that starts at 256 bytes
/// and doubles, copying what it holds at each step. An actor serializes its whole state after every batch it applies,
/// and a hot actor's state holds tens of kilobytes (its pending interactions, its id window): a profile of the silo
/// under 4,000 interactions/s put ~11% of its running time in those resizes.
/// </remarks>
public sealed class PooledGrainStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    /// <summary>A thread keeps its buffer while it is at most this large (one outsized state does not pin memory).</summary>
    public const int MaxRetainedBytes = 1024 * 1024;

    private const int InitialBytes = 4096;

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input)
    {
        // Serialization runs synchronously on this thread, so the buffer has one user at a time.
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(InitialBytes);
        t_buffer = null;
        buffer.ResetWrittenCount();
        serializer.Serialize(input, buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= MaxRetainedBytes)
        {
            t_buffer = buffer;
        }

        return new BinaryData(bytes);
    }

    /// <inheritdoc />
    public T? Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory());
}
