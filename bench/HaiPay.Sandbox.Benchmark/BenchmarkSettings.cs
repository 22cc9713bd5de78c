using System.Globalization;

namespace HaiPay.Sandbox.Benchmark;

/// <summary>How much load to send: <c>--requests</c>, <c>--concurrency</c>, <c>--warmup</c>, <c>--target</c> (apply/s).</summary>
public sealed record BenchmarkSettings(int Requests, int Concurrency, int Warmup, double TargetPerSecond)
{
    public static BenchmarkSettings Default { get; } = new(5000, 32, 200, 500);

    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = Default;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--requests" => settings with { Requests = Positive(args[i], value) },
                "--concurrency" => settings with { Concurrency = Positive(args[i], value) },
                "--warmup" => settings with { Warmup = Positive(args[i], value) },
                "--target" => settings with { TargetPerSecond = Positive(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --requests, --concurrency, --warmup, --target."),
            };
            i++;
        }
        return settings;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");
}
