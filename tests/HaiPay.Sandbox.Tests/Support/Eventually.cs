namespace HaiPay.Sandbox.Tests.Support;

/// <summary>Waits for something that happens in the background (a callback, a scheduled transition); not a timing assertion.</summary>
internal static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}; last value: {value}");
            }
            await Task.Delay(20);
        }
    }

    public static Task<T> Until<T>(Func<T> probe, Func<T, bool> done, string what) =>
        Until(() => Task.FromResult(probe()), done, what);
}
