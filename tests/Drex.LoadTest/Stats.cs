namespace Drex.LoadTest;

/// <summary>Latency percentiles of a sample (milliseconds), exact: the sample is sorted.</summary>
public sealed record LatencySummary(int Count, double Mean, double P50, double P90, double P95, double P99, double P999, double Max)
{
    public static LatencySummary Of(List<double> sample)
    {
        if (sample.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);
        }

        sample.Sort();
        double P(double q) => sample[Math.Min(sample.Count - 1, (int)Math.Ceiling(q * sample.Count) - 1)];
        return new LatencySummary(sample.Count, Round(sample.Average()), Round(P(0.50)), Round(P(0.90)), Round(P(0.95)), Round(P(0.99)),
            Round(P(0.999)), Round(sample[^1]));
    }

    private static double Round(double x) => Math.Round(x, 2);
}
