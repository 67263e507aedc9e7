using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Drex.LoadTest;

/// <summary>
/// Sleeps for a span given in <see cref="Stopwatch"/> ticks, to the kernel timer's precision. <see cref="Thread.Sleep(int)"/>
/// rounds to whole milliseconds (on Linux a Sleep(1) lasts ~1.1 ms), which an open-model generator would add to every
/// request it sends late; on Linux this is <c>clock_nanosleep</c>, elsewhere it falls back to Sleep(1).
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int Interrupted = 4; // EINTR: a signal woke the thread; the caller loops and sleeps again

    /// <summary>Sleeps about <paramref name="ticks"/> Stopwatch ticks; returns at once for zero or less.</summary>
    public static void For(long ticks)
    {
        if (ticks <= 0)
        {
            return;
        }

        if (!OperatingSystem.IsLinux())
        {
            Thread.Sleep(1);
            return;
        }

        var nanoseconds = (long)(ticks * (1e9 / Stopwatch.Frequency));
        var span = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        var result = ClockNanosleep(ClockMonotonic, 0, in span, IntPtr.Zero);
        if (result != 0 && result != Interrupted)
        {
            throw new InvalidOperationException($"clock_nanosleep failed with error {result}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // clock_nanosleep returns the error number itself rather than setting errno.
    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remaining);
}
