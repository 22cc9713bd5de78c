namespace Collect.Benchmark;

/// <summary>
/// What happened to one order (or bare orchestration): when the client started it (UTC), time to its payUrl, time to
/// its final status, that status, and how many status reads the client made (each one storage read behind it).
/// </summary>
public sealed record OrderOutcome(string OrderId, DateTimeOffset StartedAt, TimeSpan? ToPayUrl, TimeSpan ToFinal, string Status, int StatusReads);

/// <summary>A batch of orders run at some concurrency: outcomes and the wall time from the first start to the last final status.</summary>
public sealed record LoadResult(IReadOnlyList<OrderOutcome> Outcomes, TimeSpan Elapsed)
{
    public double PerSecond => Outcomes.Count / Elapsed.TotalSeconds;

    public Percentiles ToPayUrl => new(Outcomes.Where(o => o.ToPayUrl is not null).Select(o => o.ToPayUrl!.Value));

    public Percentiles ToFinal => new(Outcomes.Select(o => o.ToFinal));

    public long StatusReads => Outcomes.Sum(o => (long)o.StatusReads);

    /// <summary>How many orders ended in each status, e.g. "200 Succeeded".</summary>
    public string Statuses => string.Join(", ", Outcomes.GroupBy(o => o.Status).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));

    /// <summary>Starts <paramref name="count"/> items, at most <paramref name="concurrency"/> at a time, and times the whole batch.</summary>
    public static async Task<LoadResult> RunAsync(int count, int concurrency, Func<int, Task<OrderOutcome>> run)
    {
        var outcomes = new OrderOutcome[count];
        var next = -1;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Math.Min(concurrency, count)).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                outcomes[index] = await run(index);
            }
        }));
        await Task.WhenAll(workers);
        return new LoadResult(outcomes, clock.Elapsed);
    }
}

/// <summary>Nearest-rank percentiles of a set of durations.</summary>
public sealed class Percentiles(IEnumerable<TimeSpan> values)
{
    private readonly TimeSpan[] _sorted = values.Order().ToArray();

    public int Count => _sorted.Length;

    public TimeSpan this[double percentile] => _sorted.Length == 0
        ? TimeSpan.Zero
        : _sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];

    /// <summary>"p50 / p95 / p99" in milliseconds.</summary>
    public override string ToString() => $"{this[50].TotalMilliseconds:0} / {this[95].TotalMilliseconds:0} / {this[99].TotalMilliseconds:0} ms";
}
