namespace Drex.Trainer.Data;

/// <summary>Shares one string instance per distinct id, so millions of rows do not each hold their own copy.</summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Intern(string value)
    {
        if (_strings.TryGetValue(value, out var existing))
        {
            return existing;
        }

        _strings.Add(value, value);
        return value;
    }

    public string Intern(ReadOnlySpan<char> value)
    {
        var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var s = value.ToString();
        _strings.Add(s, s);
        return s;
    }
}
