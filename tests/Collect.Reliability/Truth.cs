using Collect.EndToEnd;

namespace Collect.Reliability;

/// <summary>What the product must show for an order, given what HaiPay (the sandbox) holds.</summary>
public static class Truth
{
    public static readonly HashSet<string> Final = ["Succeeded", "Failed", "NeedsReview", "Rejected", "Expired"];

    /// <summary>The product status HaiPay's state calls for: 2 → Succeeded, 3 → Failed, 4/5 → NeedsReview, still open → Expired.</summary>
    public static string Expected(SandboxOrder? atHaiPay) => atHaiPay?.Status switch
    {
        2 => "Succeeded",
        3 => "Failed",
        4 or 5 => "NeedsReview",
        null => "Rejected",
        _ => "Expired",
    };

    /// <summary>
    /// Polls every order until it shows what HaiPay holds (or <paramref name="patience"/> runs out); returns the orders
    /// that never did, with what they showed and what was expected.
    /// </summary>
    public static async Task<IReadOnlyList<string>> WaitUntilAllMatchAsync(
        CollectStack stack, IReadOnlyCollection<string> orderIds, TimeSpan patience)
    {
        var giveUp = DateTime.UtcNow + patience;
        var pending = orderIds.ToHashSet();
        var last = new Dictionary<string, string>();
        while (true)
        {
            foreach (var orderId in pending.ToList())
            {
                var view = await stack.Orders.GetAsync(orderId);
                var expected = Expected(await stack.Control.OrderAsync(orderId));
                last[orderId] = $"{orderId}: {view?.Status ?? "missing"} (HaiPay says {expected})";
                if (view is not null && view.Status == expected)
                {
                    pending.Remove(orderId);
                }
            }
            if (pending.Count == 0 || DateTime.UtcNow > giveUp)
            {
                return pending.Select(id => last[id]).ToList();
            }
            await Task.Delay(1000);
        }
    }

    /// <summary>Runs <paramref name="work"/> for every item, at most <paramref name="concurrency"/> at a time.</summary>
    public static Task ForEachAsync<T>(IEnumerable<T> items, int concurrency, Func<T, Task> work) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) => await work(item));
}
