using System.Diagnostics;
using Collect.Reliability;

// The reliability suite (README "Reliability"): real Azurite, sandbox and runner processes, the sandbox's fault
// injection, kill -9, floods and hostile input. Prints figures and checks; exits non-zero when a check fails.
//   dotnet run -c Release --project tests/Collect.Reliability [-- --seed 20261202 --orders 300 --only faults,kills,flood,fuzz]
var seed = Argument("--seed", 20261202);
var orders = Argument("--orders", 300);
var only = ArgumentText("--only")?.Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase);
var report = new Report();
var clock = Stopwatch.StartNew();
Console.WriteLine($"Reliability suite, seed {seed}, {orders} faulted orders, {Environment.ProcessorCount} cores");

async Task RunAsync(string name, Func<Task> scenario)
{
    if (only is not null && !only.Contains(name))
    {
        return;
    }
    var started = clock.Elapsed;
    Console.WriteLine($"== {name}");
    try
    {
        await scenario();
    }
    catch (Exception ex)
    {
        report.Check(name, "scenario ran to the end", false, ex.GetType().Name + ": " + ex.Message.Split('\n')[0]);
        Console.WriteLine(ex);
    }
    report.Figure(name, "duration", $"{(clock.Elapsed - started).TotalSeconds:F0} s");
}

await RunAsync("faults", () => FaultedOrders.RunAsync(report, seed, orders));
await RunAsync("kills", () => RunnerKills.RunAsync(report, seed));
await RunAsync("flood", () => NotifyFlood.RunAsync(report));
await RunAsync("fuzz", () => HostileInput.RunAsync(report, seed));

var markdown = report.ToMarkdown();
Console.WriteLine();
Console.WriteLine(markdown);
Directory.CreateDirectory("TestResults");
File.WriteAllText(Path.Combine("TestResults", "reliability.md"),
    $"Reliability suite, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, seed {seed}, {Environment.ProcessorCount} cores, {clock.Elapsed.TotalMinutes:F1} min\n\n{markdown}");
Console.WriteLine($"reliability: {report.Passed} checks passed, {report.Failed} failed ({clock.Elapsed.TotalMinutes:F1} min)");
return report.Failed == 0 ? 0 : 1;

int Argument(string name, int fallback) => ArgumentText(name) is { } text ? int.Parse(text) : fallback;

string? ArgumentText(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
