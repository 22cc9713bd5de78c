using System.Globalization;
using System.Runtime.InteropServices;
using Collect.EndToEnd;
using Collect.LocalRunner.Engine;
using TestSupport;

namespace Collect.Benchmark;

/// <summary>
/// Starts Azurite, the sandbox and the local runner as processes (as the end-to-end tests do) and measures:
/// <list type="number">
/// <item>the notified path: orders the sandbox pays after <see cref="BenchmarkSettings.PayAfter"/>, its callback
/// delivered; production query schedule and deadline;</item>
/// <item>callbacks dropped, the customer pays: the query loop finds the payment (schedule compressed);</item>
/// <item>callbacks dropped, nobody pays: the first hour of the query schedule, compressed, ending Expired;</item>
/// <item>the bare engine baseline, in this process, on the same Azurite: its plain shape and the product's engine
/// shape (the event raced against a 15 s timer).</item>
/// </list>
/// Prints a Markdown report.
/// </summary>
public static class CollectBenchmark
{
    /// <summary>Runner logs at Warning: console logging per request is not part of what is measured.</summary>
    private static readonly Dictionary<string, string> QuietLogs = new() { ["Logging:LogLevel:Default"] = "Warning" };

    /// <summary>
    /// The notified window and the bare timer shape's window end this long after the last order: each order's cancelled
    /// 15 s timer (the product's first query timer) fires within it.
    /// </summary>
    private static readonly TimeSpan SettleAfterLastOrder = TimeSpan.FromSeconds(20);

    /// <summary>Both engines run this long before idle is counted (task hub created, leases taken, first sweep run).</summary>
    private static readonly TimeSpan IdleWarmUp = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(BenchmarkSettings settings, TextWriter output)
    {
        var startedAt = DateTimeOffset.Now;
        output.WriteLine("Starting Azurite, the HaiPay sandbox and the local runner...");
        await using var stack = await CollectStack.StartAsync(new StackSettings
        {
            TaskHub = "benchproduct",
            Sandbox = new Dictionary<string, string>
            {
                ["Sandbox:CallbackRetryInterval"] = "00:00:01",
                ["Logging:LogLevel:Default"] = "Warning",
            },
            Product = QuietLogs,
        });
        // Every storage client the benchmark measures reaches Azurite through the counting forwarder.
        await using var meter = await StorageMeter.StartAsync(stack.Azurite, StorageReport.ProductStore, StorageReport.ProductEngine, StorageReport.Bare);
        Dictionary<string, string> Metered(IReadOnlyDictionary<string, string> settings) => new(settings)
        {
            ["AzureWebJobsStorage"] = meter.ConnectionString(StorageReport.ProductEngine),
            ["OrderStorage"] = meter.ConnectionString(StorageReport.ProductStore),
        };
        try
        {
            await stack.ReplaceProductAsync(Metered(QuietLogs));

            // Idle first, before any order exists (later, the sweep works off each order's work-list row 2-3 min after
            // its create, which is per-order work, not idle). The bare engine idles at the same time on its own hub.
            var engineOptions = HostJsonEngineSettings.Apply(RepositoryRoot.Combine("host.json"), new DurableEngineOptions { WorkerId = "benchmark-bare" });
            output.WriteLine($"Idle: {IdleWarmUp.TotalSeconds:0} s warm-up, then {settings.Idle.TotalSeconds:0} s with no orders, product and bare engine side by side...");
            StorageWindow productIdle, bareIdle;
            await using (var idleBare = await BareEngine.StartAsync(meter.ConnectionString(StorageReport.Bare), engineOptions))
            {
                await Task.Delay(IdleWarmUp);
                var idleStart = meter.Snapshot();
                var idleClock = System.Diagnostics.Stopwatch.StartNew();
                await Task.Delay(settings.Idle);
                var idleCounts = meter.Snapshot() - idleStart;
                productIdle = new StorageWindow(idleCounts, idleClock.Elapsed, 1);
                bareIdle = new StorageWindow(idleCounts, idleClock.Elapsed, 1);
            }

            var paying = new SandboxBehaviour { AutoAction = "pay", AutoActionDelay = settings.PayAfter };
            await stack.Control.SetDefaultBehaviourAsync(paying);
            output.WriteLine($"Warm-up: {settings.Warmup} orders...");
            await ProductLoad.RunAsync(stack.Orders, "warm", settings.Warmup, settings.Concurrency);

            output.WriteLine($"Notified path: {settings.Orders} orders, {settings.Concurrency} at a time...");
            var keysBefore = await KeySourceCounts.ReadAsync(stack.Product.BaseUrl);
            var storageBefore = meter.Snapshot();
            var notifiedClock = System.Diagnostics.Stopwatch.StartNew();
            var cpuBefore = CpuMeter.Take();
            var notified = await ProductLoad.RunAsync(stack.Orders, "notified", settings.Orders, settings.Concurrency);
            var notifiedCpu = CpuMeter.Since(cpuBefore);
            var keys = await KeySourceCounts.ReadAsync(stack.Product.BaseUrl) - keysBefore;
            var notifiedCalls = await ProviderCallsAsync(stack.Control, notified);
            var deliveries = await StorefrontDeliveriesAsync(stack.Control, notified);

            await SettleAsync(notified, notifiedClock);
            var notifiedStorage = new StorageWindow(meter.Snapshot() - storageBefore, notifiedClock.Elapsed, notified.Outcomes.Count);

            IReadOnlyList<CapacityStep> productCapacity = [];
            if (settings.CapacityRates.Count > 0)
            {
                output.WriteLine($"Open-loop capacity, product: {string.Join(", ", settings.CapacityRates)} orders/s, {settings.CapacityStep.TotalSeconds:0} s each...");
                productCapacity = await CapacityRun.RunAsync(settings.CapacityRates, settings.CapacityStep, CapacityRun.Product(stack.Orders, "capacity"), "product", output);
            }

            output.WriteLine($"Restarting the runner with the query schedule compressed {settings.Compression}x " +
                             $"({settings.CompressedBackoff}; deadline {settings.CompressedHour:c} = 1 h)...");
            var compressed = new Dictionary<string, string>(QuietLogs)
            {
                ["Collect:QueryBackoff"] = settings.CompressedBackoff,
                ["Collect:Deadline"] = settings.CompressedHour.ToString("c", CultureInfo.InvariantCulture),
            };
            await stack.ReplaceProductAsync(Metered(compressed));
            var silentCallbacks = new SandboxCallbacks { Drop = true };

            output.WriteLine($"Callbacks dropped, customer pays: {settings.SilentOrders} orders...");
            await stack.Control.SetDefaultBehaviourAsync(paying with { Callback = silentCallbacks });
            var foundByQuery = await ProductLoad.RunAsync(stack.Orders, "dropped", settings.SilentOrders, settings.Concurrency);
            var foundByQueryCalls = await ProviderCallsAsync(stack.Control, foundByQuery);

            output.WriteLine($"Callbacks dropped, never paid: {settings.SilentOrders} orders through the first (compressed) hour...");
            await stack.Control.SetDefaultBehaviourAsync(new SandboxBehaviour { Callback = silentCallbacks });
            var silentBefore = meter.Snapshot();
            var silentClock = System.Diagnostics.Stopwatch.StartNew();
            var silentHour = await ProductLoad.RunAsync(stack.Orders, "silent", settings.SilentOrders, settings.SilentOrders);
            var silentStorage = new StorageWindow(meter.Snapshot() - silentBefore, silentClock.Elapsed, silentHour.Outcomes.Count);
            var silentHourCalls = await ProviderCallsAsync(stack.Control, silentHour);
            await stack.Product.StopAsync();

            output.WriteLine($"Bare engine: {settings.Orders} orchestrations, {settings.Concurrency} at a time...");
            LoadResult bare, bareWithTimer;
            StorageWindow bareStorage, bareWithTimerStorage;
            CpuMeter.Window bareCpu;
            IReadOnlyList<CapacityStep> bareCapacity = [];
            await using (var bareEngine = await BareEngine.StartAsync(meter.ConnectionString(StorageReport.Bare), engineOptions))
            {
                await bareEngine.RunAsync(settings.Warmup, settings.Concurrency, settings.PayAfter);
                var bareBefore = meter.Snapshot();
                var bareClock = System.Diagnostics.Stopwatch.StartNew();
                var bareCpuBefore = CpuMeter.Take();
                bare = await bareEngine.RunAsync(settings.Orders, settings.Concurrency, settings.PayAfter);
                bareCpu = CpuMeter.Since(bareCpuBefore);
                bareStorage = new StorageWindow(meter.Snapshot() - bareBefore, bareClock.Elapsed, bare.Outcomes.Count);

                output.WriteLine($"Bare engine, the product's engine shape (event raced against a {BareEngine.EventTimeout.TotalSeconds:0} s timer): " +
                                 $"{settings.Orders} orchestrations, {settings.Concurrency} at a time...");
                var timerBefore = meter.Snapshot();
                var timerClock = System.Diagnostics.Stopwatch.StartNew();
                bareWithTimer = await bareEngine.RunAsync(settings.Orders, settings.Concurrency, settings.PayAfter, BareEngine.OrchestratorWithTimer);
                await SettleAsync(bareWithTimer, timerClock);
                bareWithTimerStorage = new StorageWindow(meter.Snapshot() - timerBefore, timerClock.Elapsed, bareWithTimer.Outcomes.Count);
                if (settings.CapacityRates.Count > 0)
                {
                    output.WriteLine("Open-loop capacity, bare engine...");
                    bareCapacity = await CapacityRun.RunAsync(settings.CapacityRates, settings.CapacityStep,
                        CapacityRun.Bare(bareEngine, $"cap-{Guid.NewGuid():N}"[..12], settings.PayAfter), "bare", output);
                }
            }

            output.WriteLine("Reading the stored timestamps of every order for the latency breakdown...");
            var productSegments = await LatencyBreakdown.ProductAsync(stack.Azurite.ConnectionString, stack.TaskHub, notified);
            var bareSegments = await LatencyBreakdown.BareAsync(stack.Azurite.ConnectionString, bare);
            var timelines = new[]
            {
                await LatencyBreakdown.TimelineAsync(stack.Azurite.ConnectionString, stack.TaskHub, notified.Outcomes[^1]),
                await LatencyBreakdown.TimelineAsync(stack.Azurite.ConnectionString, BareEngine.TaskHub, bare.Outcomes[^1]),
            };

            output.WriteLine();
            Report(output, settings, startedAt, notified, notifiedCalls, keys, foundByQuery, foundByQueryCalls, silentHour, silentHourCalls, bare);
            output.WriteLine();
            output.WriteLine("| storefront events, notified path | per order | total |");
            output.WriteLine("|---|---|---|");
            output.WriteLine($"| deliveries answered 2xx (awaiting_payment, unless superseded, then succeeded) | {deliveries.Delivered / (double)notified.Outcomes.Count:0.00} | {deliveries.Delivered} |");
            output.WriteLine($"| of which order.succeeded | {deliveries.Succeeded / (double)notified.Outcomes.Count:0.00} | {deliveries.Succeeded} |");
            output.WriteLine();
            if (settings.CapacityRates.Count > 0)
            {
                PrintCapacity(output, settings, productCapacity, bareCapacity);
            }
            StorageReport.Print(output, notifiedStorage, bareStorage, productIdle, bareIdle, notified.StatusReads, bare.StatusReads, silentStorage,
                bareWithTimerStorage, bareWithTimer);
            CpuMeter.Print(output, notifiedCpu, notified.Outcomes.Count, bareCpu, bare.Outcomes.Count);
            output.WriteLine("Create → payUrl, where the time goes (stored timestamps; see docs/benchmark.md):");
            output.WriteLine();
            LatencyBreakdown.Print(output, "product, notified path", LatencyBreakdown.ProductSegments, productSegments);
            LatencyBreakdown.Print(output, "bare engine", LatencyBreakdown.BareSegments, bareSegments);
            output.WriteLine("History of the last order and the last bare orchestration (times from the client's start):");
            output.WriteLine();
            foreach (var timeline in timelines)
            {
                output.WriteLine($"- {timeline}");
            }
            return 0;
        }
        catch
        {
            output.WriteLine("---- output of the stack's processes ----");
            output.WriteLine(stack.OutputSince(new StackOutputMark(0, new Dictionary<ChildProcess, long>())));
            throw;
        }
    }

    /// <summary>Waits until <see cref="SettleAfterLastOrder"/> after the run's last order finished (<paramref name="clock"/> started with the run).</summary>
    private static Task SettleAsync(LoadResult run, System.Diagnostics.Stopwatch clock)
    {
        var left = run.Elapsed + SettleAfterLastOrder - clock.Elapsed;
        return left > TimeSpan.Zero ? Task.Delay(left) : Task.CompletedTask;
    }

    private static void PrintCapacity(TextWriter o, BenchmarkSettings s, IReadOnlyList<CapacityStep> product, IReadOnlyList<CapacityStep> bare)
    {
        o.WriteLine($"Open-loop capacity: each rate held {s.CapacityStep.TotalSeconds:0} s, arrivals independent of completions; " +
                    $"a step is sustained when p95 create → payUrl ≤ {CapacityStep.MaxP95.TotalSeconds:0} s, no errors and every payUrl within {CapacityRun.GiveUpAfter.TotalSeconds:0} s.");
        o.WriteLine();
        o.WriteLine("| who | rate (orders/s) | started/s | started | errors | no payUrl | create → payUrl p50 / p95 / p99 | sustained |");
        o.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var step in product)
        {
            o.WriteLine(step.Row("product"));
        }
        foreach (var step in bare)
        {
            o.WriteLine(step.Row("bare"));
        }
        o.WriteLine();
        var (p, b) = (CapacityRun.Highest(product), CapacityRun.Highest(bare));
        o.WriteLine($"Highest sustained rate: product {p:0.#}/s, bare engine {b:0.#}/s, product / bare {(b > 0 ? (p / b).ToString("0.00", CultureInfo.InvariantCulture) : "-")}" +
                    (bare.Count > 0 && bare[^1].Sustained ? " (the bare engine sustained every rate tried: its capacity is at least that)" : "") + ".");
        o.WriteLine();
    }

    /// <summary>The sandbox's counts for these orders, summed.</summary>
    private static async Task<ProviderCounters> ProviderCallsAsync(SandboxControl control, LoadResult run)
    {
        var sum = new ProviderCounters(0, 0, 0, 0, 0, 0, 0);
        foreach (var outcome in run.Outcomes)
        {
            var c = await control.CountersAsync(outcome.OrderId);
            sum = new ProviderCounters(sum.Applies + c.Applies, sum.AppliesAccepted + c.AppliesAccepted, sum.Queries + c.Queries,
                sum.CallbacksSent + c.CallbacksSent, sum.CallbacksAcknowledged + c.CallbacksAcknowledged,
                sum.CallbacksDropped + c.CallbacksDropped, sum.CallbacksAbandoned + c.CallbacksAbandoned);
        }
        return sum;
    }

    /// <summary>Storefront events the sandbox's receiver got for these orders (deliveries settle a moment after the orders).</summary>
    private static async Task<(int Delivered, int Succeeded)> StorefrontDeliveriesAsync(SandboxControl control, LoadResult run)
    {
        var ids = run.Outcomes.Select(o => o.OrderId).ToHashSet();
        var giveUp = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var received = (await control.StorefrontEventsAsync()).Where(e => e.OrderId is not null && ids.Contains(e.OrderId) && e.Answered is >= 200 and < 300).ToList();
            var succeeded = received.Count(e => e.Type == "order.succeeded");
            if (succeeded >= ids.Count || DateTime.UtcNow > giveUp)
            {
                return (received.Count, succeeded);
            }
            await Task.Delay(500);
        }
    }

    private static void Report(
        TextWriter o, BenchmarkSettings s, DateTimeOffset startedAt,
        LoadResult notified, ProviderCounters notifiedCalls, KeySourceCounts keys,
        LoadResult foundByQuery, ProviderCounters foundByQueryCalls,
        LoadResult silentHour, ProviderCounters silentHourCalls, LoadResult bare)
    {
        string PerOrder(long total, LoadResult run) => (total / (double)run.Outcomes.Count).ToString("0.00", CultureInfo.InvariantCulture);
        string Calls(ProviderCounters c, LoadResult run) =>
            $"{PerOrder(c.Applies, run)} / {PerOrder(c.Queries, run)} / {PerOrder(c.CallbacksSent, run)}";
        string Ratio(double product, double baseline) => (product / baseline).ToString("0.00", CultureInfo.InvariantCulture);

        o.WriteLine($"## Results ({startedAt:yyyy-MM-dd HH:mm zzz})");
        o.WriteLine();
        o.WriteLine($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}. " +
                    $"Orders: {s.Orders} at concurrency {s.Concurrency} (after {s.Warmup} warm-up), customer pays {s.PayAfter.TotalSeconds:0.###} s after apply.");
        o.WriteLine();
        o.WriteLine("| measure | product (local runner) | bare engine | product / bare |");
        o.WriteLine("|---|---|---|---|");
        o.WriteLine($"| orders/s to final status | {notified.PerSecond:0.0} | {bare.PerSecond:0.0} | {Ratio(notified.PerSecond, bare.PerSecond)} |");
        o.WriteLine($"| create → payUrl p50 / p95 / p99 | {notified.ToPayUrl} | {bare.ToPayUrl} | {Ratio(notified.ToPayUrl[50].TotalMilliseconds, bare.ToPayUrl[50].TotalMilliseconds)} (p50) |");
        o.WriteLine($"| create → final p50 / p95 / p99 | {notified.ToFinal} | {bare.ToFinal} | {Ratio(notified.ToFinal[50].TotalMilliseconds, bare.ToFinal[50].TotalMilliseconds)} (p50) |");
        o.WriteLine($"| final statuses | {notified.Statuses} | {bare.Statuses} | |");
        o.WriteLine();
        o.WriteLine("| path (per order) | orders | final statuses | applies / queries / callbacks sent | wall time |");
        o.WriteLine("|---|---|---|---|---|");
        o.WriteLine($"| notified (callback delivered), production schedule | {notified.Outcomes.Count} | {notified.Statuses} | {Calls(notifiedCalls, notified)} | {notified.Elapsed.TotalSeconds:0.0} s |");
        o.WriteLine($"| callback dropped, paid after {s.PayAfter.TotalSeconds:0.###} s (schedule /{s.Compression}) | {foundByQuery.Outcomes.Count} | {foundByQuery.Statuses} | {Calls(foundByQueryCalls, foundByQuery)} | {foundByQuery.Elapsed.TotalSeconds:0.0} s |");
        o.WriteLine($"| callback dropped, unpaid for the first hour (1 h = {s.CompressedHour.TotalSeconds:0} s) | {silentHour.Outcomes.Count} | {silentHour.Statuses} | {Calls(silentHourCalls, silentHour)} | {silentHour.Elapsed.TotalSeconds:0.0} s |");
        o.WriteLine();
        o.WriteLine($"The uncompressed schedule makes {BenchmarkSettings.QueriesInFirstHour()} queries in the first hour (final check included).");
        o.WriteLine();
        o.WriteLine("| key source, notified path | per order | total |");
        o.WriteLine("|---|---|---|");
        o.WriteLine($"| reads (`IHaiPayCredentialSource.GetAsync`) | {PerOrder(keys.Gets, notified)} | {keys.Gets} |");
        o.WriteLine($"| loads from the store (cache misses) | {PerOrder(keys.Loads, notified)} | {keys.Loads} |");
        o.WriteLine($"| forced refreshes | {PerOrder(keys.Refreshes, notified)} | {keys.Refreshes} |");
        o.WriteLine($"| Key Vault secret reads | {(keys.KeyVaultSecretReads is { } reads ? PerOrder(reads, notified) : "no vault (keys from configuration)")} | {keys.KeyVaultSecretReads?.ToString(CultureInfo.InvariantCulture) ?? "-"} |");
    }
}
