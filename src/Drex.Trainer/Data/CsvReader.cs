using System.Text;

namespace Drex.Trainer.Data;

/// <summary>
/// A streaming RFC 4180 reader: comma-separated fields, double-quoted fields may hold commas, newlines and doubled
/// quotes; records end with LF, CRLF or CR. A quote inside an unquoted field is kept as a literal character.
/// </summary>
internal sealed class CsvReader : IRecordReader
{
    private readonly TextReader _reader;
    private readonly string _path;
    private readonly char[] _input = new char[1 << 16];
    private readonly List<(int Start, int Length)> _fields = [];
    private char[] _chars = new char[256];
    private int _charCount;
    private int _position;
    private int _length;
    private long _nextLine = 1;

    public CsvReader(Stream stream, string path)
    {
        _reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        _path = path;
    }

    public long LineNumber { get; private set; }

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_fields[index].Start, _fields[index].Length);

    public bool IsBlank => _fields.Count == 1 && _fields[0].Length == 0;

    public bool ReadRecord()
    {
        _fields.Clear();
        _charCount = 0;
        LineNumber = _nextLine;
        var c = Next();
        if (c < 0)
        {
            return false;
        }

        while (true)
        {
            var start = _charCount;
            if (c == '"')
            {
                while (true)
                {
                    c = Next();
                    if (c < 0)
                    {
                        throw new DatasetFormatException(_path, LineNumber, "a quoted field is not closed");
                    }

                    if (c == '"')
                    {
                        c = Next();
                        if (c != '"')
                        {
                            break;
                        }
                    }
                    else if (c == '\n' || (c == '\r' && Peek() != '\n'))
                    {
                        _nextLine++;
                    }

                    Append((char)c);
                }

                if (c >= 0 && c != ',' && c != '\n' && c != '\r')
                {
                    throw new DatasetFormatException(_path, _nextLine, "unexpected character after a closing quote");
                }
            }
            else
            {
                while (c >= 0 && c != ',' && c != '\n' && c != '\r')
                {
                    Append((char)c);
                    c = Next();
                }
            }

            _fields.Add((start, _charCount - start));
            if (c == ',')
            {
                c = Next();
                continue;
            }

            if (c == '\r' && Peek() == '\n')
            {
                Next();
            }

            if (c >= 0)
            {
                _nextLine++;
            }

            return true;
        }
    }

    public void Dispose() => _reader.Dispose();

    private int Next()
    {
        if (_position == _length && !Refill())
        {
            return -1;
        }

        return _input[_position++];
    }

    private int Peek() => _position < _length || Refill() ? _input[_position] : -1;

    private bool Refill()
    {
        _length = _reader.Read(_input, 0, _input.Length);
        _position = 0;
        return _length > 0;
    }

    private void Append(char c)
    {
        if (_charCount == _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _chars[_charCount++] = c;
    }
}
