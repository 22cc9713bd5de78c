using Xunit.Abstractions;

namespace Collect.EndToEnd.Tests;

/// <summary>One stack started with <paramref name="settings"/> for the tests that share it, stopped after them.</summary>
public abstract class StackFixture(StackSettings settings) : IAsyncLifetime
{
    public CollectStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await CollectStack.StartAsync(settings);

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }
}

/// <summary>
/// One stack for most scenarios, started once. Callback-driven: the first scheduled query is 5 minutes away, so
/// every query a scenario sees was caused by a callback (or by the create), and counts are exact.
/// </summary>
public sealed class NotifiedStackFixture() : StackFixture(new StackSettings
{
    TaskHub = "e2enotified",
    Sandbox = new Dictionary<string, string>
    {
        ["Sandbox:CallbackRetryInterval"] = "00:00:00.500",
        ["Sandbox:CallbackRetryCount"] = "5",
    },
    Product = new Dictionary<string, string>
    {
        ["Collect:QueryBackoff"] = "00:05:00",
        ["Collect:Deadline"] = "00:10:00",
        ["HaiPay:AttemptTimeout"] = "00:00:03",
    },
});

[CollectionDefinition(Name)]
public sealed class NotifiedStack : ICollectionFixture<NotifiedStackFixture>
{
    public const string Name = "notified stack";
}

/// <summary>A stack with a fast query loop (1 s, then every 2 s) and a 15 s deadline: query-driven scenarios and expiry.</summary>
public sealed class PollingStackFixture() : StackFixture(new StackSettings
{
    TaskHub = "e2epolling",
    Sandbox = new Dictionary<string, string>
    {
        ["Sandbox:CallbackRetryInterval"] = "00:00:00.500",
        ["Sandbox:CallbackRetryCount"] = "5",
    },
    Product = new Dictionary<string, string>
    {
        ["Collect:QueryBackoff"] = "00:00:01,00:00:02",
        ["Collect:Deadline"] = Deadline.ToString("c"),
    },
})
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
}

[CollectionDefinition(Name)]
public sealed class PollingStack : ICollectionFixture<PollingStackFixture>
{
    public const string Name = "polling stack";
}

/// <summary>Readiness limits (never assertions about speed) and the failure output of a scenario.</summary>
public static class Scenario
{
    /// <summary>How long a scenario waits for something that normally takes a few seconds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Runs a scenario; if it fails, the output of the stack's processes during it goes to the test output.</summary>
    public static async Task RunAsync(this CollectStack stack, ITestOutputHelper output, Func<Task> scenario)
    {
        var mark = stack.MarkOutput();
        try
        {
            await scenario();
        }
        catch
        {
            output.WriteLine("---- output of the stack's processes during this test ----");
            output.WriteLine(stack.OutputSince(mark));
            throw;
        }
    }

    /// <summary>Readiness wait on anything: polls until <paramref name="probe"/> returns a value meeting <paramref name="condition"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, string what)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }
            if (DateTime.UtcNow > giveUp)
            {
                throw new TimeoutException($"Never {what}; last: {value}");
            }
            await Task.Delay(150);
        }
    }
}
