using System.Diagnostics;

namespace HaiPay.Sandbox.Benchmark;

/// <summary>The outcome of one load run: throughput and latency percentiles of the successful calls.</summary>
public sealed record LoadResult(string Name, int Requests, int Failures, TimeSpan Elapsed, double[] LatenciesMs)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100 * LatenciesMs.Length) - 1;
        return LatenciesMs[Math.Clamp(rank, 0, LatenciesMs.Length - 1)];
    }

    public override string ToString() =>
        $"{Name,-24} {Requests,6} req  {Failures,4} failed  {Elapsed.TotalSeconds,7:0.00} s  {PerSecond,8:0.0} req/s  " +
        $"p50 {Percentile(50),6:0.00} ms  p95 {Percentile(95),6:0.00} ms  p99 {Percentile(99),6:0.00} ms";
}

/// <summary>Runs <c>requests</c> calls with <c>concurrency</c> workers; each worker takes the next index until none is left.</summary>
public static class LoadRun
{
    public static async Task<LoadResult> RunAsync(string name, int requests, int concurrency, Func<int, Task> call)
    {
        var latencies = new double[requests];
        var next = -1;
        var failures = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await call(index);
                    latencies[index] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }
                catch (Exception ex)
                {
                    latencies[index] = double.NaN;
                    if (Interlocked.Increment(ref failures) <= 3)
                    {
                        Console.Error.WriteLine($"{name} call {index} failed: {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var succeeded = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        return new LoadResult(name, requests, failures, elapsed, succeeded);
    }
}
