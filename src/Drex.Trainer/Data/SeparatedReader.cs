using System.Text;

namespace Drex.Trainer.Data;

/// <summary>
/// A streaming reader of one record per line, fields split by a separator with no quoting (MovieLens <c>::</c> and
/// tab files). One field, <c>freeField</c>, may itself hold the separator (a tag such as <c>a::b</c>): the fields
/// before it are split from the left and those after it from the right, so a line with more separators than
/// <c>fields - 1</c> keeps the extra ones in that field, and a line with fewer has fewer fields.
/// </summary>
internal sealed class SeparatedReader : IRecordReader
{
    private readonly TextReader _reader;
    private readonly string _separator;
    private readonly int _fields;
    private readonly int _freeField;
    private readonly List<(int Start, int Length)> _spans = [];
    private readonly List<(int Start, int Length)> _tail = [];
    private string _line = "";

    public SeparatedReader(Stream stream, string separator, int fields, int freeField)
    {
        ArgumentException.ThrowIfNullOrEmpty(separator);
        ArgumentOutOfRangeException.ThrowIfLessThan(fields, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(freeField);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(freeField, fields);
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        _separator = separator;
        _fields = fields;
        _freeField = freeField;
    }

    public long LineNumber { get; private set; }

    public int FieldCount => _spans.Count;

    public ReadOnlySpan<char> this[int index] => _line.AsSpan(_spans[index].Start, _spans[index].Length);

    public bool IsBlank => _line.Length == 0;

    public bool ReadRecord()
    {
        if (_reader.ReadLine() is not { } line)
        {
            return false;
        }

        LineNumber++;
        _line = line;
        _spans.Clear();
        var start = 0;
        for (var f = 0; f < _freeField; f++)
        {
            var at = line.IndexOf(_separator, start, StringComparison.Ordinal);
            if (at < 0)
            {
                _spans.Add((start, line.Length - start));
                return true;
            }

            _spans.Add((start, at - start));
            start = at + _separator.Length;
        }

        // The fields after the free one, split from the right without reaching back into the fields already taken.
        var end = line.Length;
        _tail.Clear();
        for (var f = _freeField + 1; f < _fields; f++)
        {
            var at = end - start >= _separator.Length ? line.LastIndexOf(_separator, end - 1, end - start, StringComparison.Ordinal) : -1;
            if (at < 0)
            {
                break;
            }

            _tail.Add((at + _separator.Length, end - at - _separator.Length));
            end = at;
        }

        _spans.Add((start, end - start));
        for (var i = _tail.Count - 1; i >= 0; i--)
        {
            _spans.Add(_tail[i]);
        }

        return true;
    }

    public void Dispose() => _reader.Dispose();
}
