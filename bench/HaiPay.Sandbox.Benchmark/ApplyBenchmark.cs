using System.Globalization;
using System.Runtime.InteropServices;
using HaiPay.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaiPay.Sandbox.Benchmark;

/// <summary>
/// Starts the sandbox in-process, measures a trivial loopback endpoint (GET /_sandbox/health) as the baseline, then
/// signed applies through the product's real <see cref="IHaiPayClient"/>, and prints both with their ratio.
/// Exit code 0 when the apply rate reaches the target, 2 when it does not.
/// </summary>
public static class ApplyBenchmark
{
    public static async Task<int> RunAsync(BenchmarkSettings settings, TextWriter output)
    {
        await using var sandbox = await SandboxApp.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(sandbox.ToProductConfiguration()).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddHaiPayClient(configuration);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHaiPayClient>();
        using var http = new HttpClient { BaseAddress = sandbox.BaseUrl };

        output.WriteLine($"HaiPay sandbox benchmark  {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        output.WriteLine($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        output.WriteLine($"requests {settings.Requests}, concurrency {settings.Concurrency}, warm-up {settings.Warmup}");

        var run = Guid.NewGuid().ToString("N")[..8];
        Task Health(int _) => http.GetStringAsync("_sandbox/health");
        Task Apply(string prefix, int i) => client.ApplyAsync(i % 2 == 0 ? Currency.HKD : Currency.USD, new ApplyRequest
        {
            OrderId = string.Create(CultureInfo.InvariantCulture, $"{prefix}-{run}-{i}"),
            Amount = i % 2 == 0 ? "100.00" : "10.50",
            PayType = i % 2 == 0 ? "EWALLET" : "BANK_TRANSFER",
            InBankCode = i % 2 == 0 ? "ALIPAY_HKD" : "ALIPAY_USD",
            Name = "Chan Tai Man",
            Phone = "91234567",
            Email = "bench@example.com",
            PartnerUserId = "bench-user",
            CallBackUrl = "http://127.0.0.1:9/paid",
            CallBackFailUrl = "http://127.0.0.1:9/failed",
        });

        await LoadRun.RunAsync("warm-up health", settings.Warmup, settings.Concurrency, Health);
        await LoadRun.RunAsync("warm-up apply", settings.Warmup, settings.Concurrency, i => Apply("warm", i));

        var baseline = await LoadRun.RunAsync("GET /_sandbox/health", settings.Requests, settings.Concurrency, Health);
        var apply = await LoadRun.RunAsync("POST collect/apply", settings.Requests, settings.Concurrency, i => Apply("bench", i));

        output.WriteLine(baseline);
        output.WriteLine(apply);
        output.WriteLine($"apply / baseline throughput: {apply.PerSecond / baseline.PerSecond:0.000}");
        output.WriteLine($"sandbox counters: applies {sandbox.State.Counters.Total.Applies}, accepted {sandbox.State.Counters.Total.AppliesAccepted}");
        var met = apply.Failures == 0 && apply.PerSecond >= settings.TargetPerSecond;
        output.WriteLine(met
            ? $"target met: {apply.PerSecond:0} apply/s >= {settings.TargetPerSecond:0}"
            : $"TARGET MISSED: {apply.PerSecond:0} apply/s (target {settings.TargetPerSecond:0}), {apply.Failures} failures");
        return met ? 0 : 2;
    }
}
