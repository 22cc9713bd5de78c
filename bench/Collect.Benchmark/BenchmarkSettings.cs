using System.Globalization;

namespace Collect.Benchmark;

/// <summary>
/// <c>--orders</c> through the notified path (and the bare engine), <c>--concurrency</c> orders in flight,
/// <c>--silent-orders</c> for the paths without callbacks, <c>--compression</c> of the query schedule for those paths,
/// <c>--pay-after</c> (seconds) between payUrl and the customer paying, <c>--warmup</c> orders not measured,
/// <c>--idle</c> (seconds) of no orders over which the idle storage transactions are counted; <c>--capacity</c>
/// (opt-in: "default" or rates like 2,4,6) the open-loop arrival rates, each held for <c>--capacity-step</c> seconds.
/// </summary>
public sealed record BenchmarkSettings(
    int Orders, int Concurrency, int SilentOrders, int Compression, TimeSpan PayAfter, int Warmup, TimeSpan Idle,
    IReadOnlyList<double> CapacityRates, TimeSpan CapacityStep)
{
    public static BenchmarkSettings Default { get; } =
        new(200, 20, 20, 60, TimeSpan.FromSeconds(0.5), 10, TimeSpan.FromSeconds(90), [], TimeSpan.FromSeconds(30));

    /// <summary>The open-loop rates (orders per second) <c>--capacity default</c> steps through.</summary>
    public static IReadOnlyList<double> DefaultCapacityRates { get; } = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24];

    /// <summary>The product's default query schedule and deadline (Collect:QueryBackoff, Collect:Deadline).</summary>
    public static IReadOnlyList<TimeSpan> ProductBackoff { get; } =
        [TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)];

    /// <summary>The silent path runs the loop for the first hour of an order's life.</summary>
    public static TimeSpan SilentHour { get; } = TimeSpan.FromHours(1);

    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = Default;
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--orders" => settings with { Orders = Positive(args[i], value) },
                "--concurrency" => settings with { Concurrency = Positive(args[i], value) },
                "--silent-orders" => settings with { SilentOrders = Positive(args[i], value) },
                "--compression" => settings with { Compression = Positive(args[i], value) },
                "--pay-after" => settings with { PayAfter = TimeSpan.FromSeconds(NonNegative(args[i], value)) },
                "--warmup" => settings with { Warmup = Positive(args[i], value) },
                "--idle" => settings with { Idle = TimeSpan.FromSeconds(Positive(args[i], value)) },
                "--capacity" => settings with { CapacityRates = Rates(args[i], value) },
                "--capacity-step" => settings with { CapacityStep = TimeSpan.FromSeconds(Positive(args[i], value)) },
                _ => throw new ArgumentException(
                    $"Unknown option {args[i]}; use --orders, --concurrency, --silent-orders, --compression, --pay-after, --warmup, --idle, --capacity, --capacity-step."),
            };
        }
        return settings;
    }

    /// <summary>Collect:QueryBackoff with every wait divided by <see cref="Compression"/>.</summary>
    public string CompressedBackoff => string.Join(",", ProductBackoff.Select(d => (d / Compression).ToString("c", CultureInfo.InvariantCulture)));

    public TimeSpan CompressedHour => SilentHour / Compression;

    /// <summary>Queries the uncompressed schedule makes in the first hour, the final check at the deadline included.</summary>
    public static int QueriesInFirstHour()
    {
        var at = TimeSpan.Zero;
        var queries = 0;
        while (true)
        {
            at += ProductBackoff[Math.Min(queries, ProductBackoff.Count - 1)];
            queries++;
            if (at >= SilentHour)
            {
                return queries;
            }
        }
    }

    /// <summary>"default" or rising rates in orders per second, comma-separated ("2,4,6").</summary>
    private static IReadOnlyList<double> Rates(string name, string value)
    {
        if (value == "default")
        {
            return DefaultCapacityRates;
        }
        var rates = value.Split(',').Select(r =>
            double.TryParse(r, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{name} takes 'default' or rates in orders per second like 2,4,6, not '{value}'.")).ToList();
        return rates.Zip(rates.Skip(1)).All(p => p.First < p.Second)
            ? rates
            : throw new ArgumentException($"{name} rates must rise, not '{value}'.");
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'.");

    private static double NonNegative(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"{name} must be a number of seconds, not '{value}'.");
}
