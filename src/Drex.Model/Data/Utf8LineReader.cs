using System.Buffers;

namespace Drex.Model.Data;

/// <summary>
/// Splits a UTF-8 stream into lines without decoding them (a byte-order mark before the first line is dropped); a
/// line's memory is valid until the next read. The dataset readers and the interaction log's reader share it.
/// </summary>
public sealed class Utf8LineReader(Stream stream, bool leaveOpen = false) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>The 1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Whether the line last returned ended with a newline (only the stream's final line may not).</summary>
    public bool LineEnded { get; private set; }

    /// <summary>Bytes of the stream up to the end of the line last returned, its newline included.</summary>
    public long Consumed { get; private set; }

    /// <summary>Reads the next line without its "\n" or "\r\n"; a final line without a newline is returned too.</summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && _end > _start))
            {
                var length = newline >= 0 ? newline : _end - _start;
                var content = length > 0 && _buffer[_start + length - 1] == (byte)'\r' ? length - 1 : length;
                line = _buffer.AsMemory(_start, content);
                var consumed = newline >= 0 ? newline + 1 : length;
                _start += consumed;
                Consumed += consumed;
                LineEnded = newline >= 0;
                if (++LineNumber == 1 && line.Span.StartsWith("\uFEFF"u8))
                {
                    line = line[3..];
                }

                return true;
            }

            if (_eof)
            {
                line = default;
                return false;
            }

            Fill();
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        if (!leaveOpen)
        {
            stream.Dispose();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _end).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = stream.Read(_buffer, _end, _buffer.Length - _end);
        _eof = read == 0;
        _end += read;
    }
}
