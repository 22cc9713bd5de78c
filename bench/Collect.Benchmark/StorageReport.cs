using System.Globalization;

namespace Collect.Benchmark;

/// <summary>Storage requests counted over one window for some sources, and what they come to per order and per hour.</summary>
public sealed record StorageWindow(StorageCounts Counts, TimeSpan Duration, int Orders)
{
    public long Total(IEnumerable<string> sources, StorageService? service = null) => sources.Sum(s => Counts.Total(s, service));

    public double PerOrder(IEnumerable<string> sources, StorageService? service = null) => Total(sources, service) / (double)Orders;

    public double PerHour(IEnumerable<string> sources, StorageService? service = null) => Total(sources, service) * 3600 / Duration.TotalSeconds;

    /// <summary>Per order after taking away what the same sources make when idle for as long as the window lasted.</summary>
    public double PerOrderNetOfIdle(IEnumerable<string> sources, StorageWindow idle, StorageService? service = null)
    {
        var list = sources.ToList();
        var idleInWindow = idle.Total(list, service) * Duration.TotalSeconds / idle.Duration.TotalSeconds;
        return (Total(list, service) - idleInWindow) / Orders;
    }
}

/// <summary>Prints the storage transaction tables (Markdown).</summary>
public static class StorageReport
{
    public const string ProductStore = "product store";
    public const string ProductEngine = "product engine";
    public const string Bare = "bare engine";

    public static readonly string[] Product = [ProductStore, ProductEngine];
    public static readonly string[] BareOnly = [Bare];

    /// <summary>
    /// No list price is stated: the Azure Storage price sheet (per 10,000 transactions, by service, redundancy and
    /// operation class) could not be read offline when this was written (2026-12-03), and a remembered figure is not
    /// a source. Cost per 10,000 orders = transactions per order × 10,000 × the price of one transaction of that
    /// service (table, queue, blob), from the printed per-service counts.
    /// </summary>
    public const string PriceNote =
        "No list price is applied: the Azure Storage price sheet could not be read offline on 2026-12-03. " +
        "Cost per 10,000 orders = (table, queue, blob transactions per order) × 10,000 × that service's price per transaction " +
        "(Standard general-purpose v2, LRS, for your region).";

    private static string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double product, double bare) => bare == 0 ? "-" : (product / bare).ToString("0.00", CultureInfo.InvariantCulture);

    public static void Print(TextWriter o, StorageWindow product, StorageWindow bare, StorageWindow productIdle, StorageWindow bareIdle,
        long productStatusReads, long bareStatusReads, StorageWindow? silentHour, StorageWindow bareWithTimer, LoadResult bareWithTimerRun)
    {
        o.WriteLine($"Storage transactions (every request to Azurite, counted by a forwarder per client; a `$batch` is one request). " +
                    $"Notified path: {product.Orders} orders over {product.Duration.TotalSeconds:0} s (until at least 20 s after the last order, so the " +
                    $"cancelled 15 s query timers have fired); bare engine: {bare.Orders} over {bare.Duration.TotalSeconds:0} s. " +
                    $"\"Net of idle\" takes away the idle rate measured below for as long as the window lasted.");
        o.WriteLine();
        o.WriteLine("| per order | product | bare engine | product / bare |");
        o.WriteLine("|---|---|---|---|");
        foreach (var service in new StorageService?[] { StorageService.Table, StorageService.Queue, StorageService.Blob, null })
        {
            var name = service?.ToString().ToLowerInvariant() ?? "**all**";
            var p = product.PerOrder(Product, service);
            var b = bare.PerOrder(BareOnly, service);
            o.WriteLine($"| {name} | {F(p)} | {F(b)} | {Ratio(p, b)} |");
        }
        var pNet = product.PerOrderNetOfIdle(Product, productIdle);
        var bNet = bare.PerOrderNetOfIdle(BareOnly, bareIdle);
        o.WriteLine($"| all, net of idle | {F(pNet)} | {F(bNet)} | **{Ratio(pNet, bNet)}** |");
        var pReads = productStatusReads / (double)product.Orders;
        var bReads = bareStatusReads / (double)bare.Orders;
        o.WriteLine($"| of which the client's status reads (GET order / GetInstance, 200 ms then 250 ms) | {F(pReads)} | {F(bReads)} | |");
        o.WriteLine($"| all, net of idle, without the client's status reads | {F(pNet - pReads)} | {F(bNet - bReads)} | **{Ratio(pNet - pReads, bNet - bReads)}** |");
        o.WriteLine($"| product: order store (orders, orderindex) / engine (task hub) | {F(product.PerOrder([ProductStore]))} / {F(product.PerOrder([ProductEngine]))} | - / {F(bare.PerOrder(BareOnly))} | |");
        if (silentHour is not null)
        {
            o.WriteLine($"| product, callback dropped and unpaid through the compressed hour ({silentHour.Orders} orders, {silentHour.Duration.TotalSeconds:0} s), net of idle; " +
                        "includes the sweep working off the notified orders' work-list rows (2–3 min after their create) | " +
                        $"{F(silentHour.PerOrderNetOfIdle(Product, productIdle))} | | |");
        }
        o.WriteLine();
        PrintTimerShape(o, product, bare, bareWithTimer, productIdle, bareIdle, productStatusReads, bareStatusReads, bareWithTimerRun);
        o.WriteLine(PriceNote);
        o.WriteLine();
        o.WriteLine($"Idle (before any order; shipped host.json; counted over {productIdle.Duration.TotalSeconds:0} s after a 30 s warm-up, scaled to one hour):");
        o.WriteLine();
        o.WriteLine("| transactions per hour, idle | product | bare engine | product / bare |");
        o.WriteLine("|---|---|---|---|");
        foreach (var service in new StorageService?[] { StorageService.Table, StorageService.Queue, StorageService.Blob, null })
        {
            var name = service?.ToString().ToLowerInvariant() ?? "**all**";
            var p = productIdle.PerHour(Product, service);
            var b = bareIdle.PerHour(BareOnly, service);
            o.WriteLine($"| {name} | {p:0} | {b:0} | {Ratio(p, b)} |");
        }
        o.WriteLine();
        PrintBreakdown(o, "notified path, per order", product, bare, bareWithTimer);
        PrintBreakdown(o, "idle, per hour", productIdle, bareIdle, perHour: true);
        PrintBatches(o, product);
    }

    /// <summary>
    /// The bare engine in the product's engine shape (the event raced against a 15 s timer, the loser cancelled): the
    /// engine's own floor for that shape, beside the plain bare shape and the product.
    /// </summary>
    private static void PrintTimerShape(TextWriter o, StorageWindow product, StorageWindow bare, StorageWindow timer,
        StorageWindow productIdle, StorageWindow bareIdle, long productStatusReads, long bareStatusReads, LoadResult timerRun)
    {
        o.WriteLine($"Bare engine, the product's engine shape (activity, then the event raced against a {BareEngine.EventTimeout.TotalSeconds:0} s timer, " +
                    $"the loser cancelled): {timer.Orders} orchestrations ({timerRun.Statuses}) over {timer.Duration.TotalSeconds:0} s " +
                    "(until at least 20 s after the last, so the cancelled timers have fired).");
        o.WriteLine();
        o.WriteLine("| per order | product | bare engine, timer shape | bare engine | timer shape − bare | product / timer shape |");
        o.WriteLine("|---|---|---|---|---|---|");
        foreach (var service in new StorageService?[] { StorageService.Table, StorageService.Queue, StorageService.Blob, null })
        {
            var name = service?.ToString().ToLowerInvariant() ?? "**all**";
            var p = product.PerOrder(Product, service);
            var t = timer.PerOrder(BareOnly, service);
            var b = bare.PerOrder(BareOnly, service);
            o.WriteLine($"| {name} | {F(p)} | {F(t)} | {F(b)} | {F(t - b)} | {Ratio(p, t)} |");
        }
        var pNet = product.PerOrderNetOfIdle(Product, productIdle);
        var tNet = timer.PerOrderNetOfIdle(BareOnly, bareIdle);
        var bNet = bare.PerOrderNetOfIdle(BareOnly, bareIdle);
        o.WriteLine($"| all, net of idle | {F(pNet)} | {F(tNet)} | {F(bNet)} | {F(tNet - bNet)} | **{Ratio(pNet, tNet)}** |");
        var pReads = productStatusReads / (double)product.Orders;
        var tReads = timerRun.StatusReads / (double)timer.Orders;
        var bReads = bareStatusReads / (double)bare.Orders;
        o.WriteLine($"| all, net of idle, without the client's status reads | {F(pNet - pReads)} | {F(tNet - tReads)} | {F(bNet - bReads)} | " +
                    $"{F(tNet - tReads - (bNet - bReads))} | **{Ratio(pNet - pReads, tNet - tReads)}** |");
        o.WriteLine();
    }

    private static void PrintBreakdown(TextWriter o, string title, StorageWindow product, StorageWindow bare, StorageWindow? bareWithTimer = null, bool perHour = false)
    {
        double Scale(StorageWindow w, long n) => perHour ? n * 3600 / w.Duration.TotalSeconds : n / (double)w.Orders;
        IEnumerable<(int Column, StorageRequestKey Key, double Value)> Column(int column, StorageWindow? window, string[] sources) =>
            window is null ? [] : window.Counts.Requests.Where(e => sources.Contains(e.Key.Source)).Select(e => (column, e.Key, Scale(window, e.Value)));
        var columns = bareWithTimer is null ? 2 : 3;
        var rows = Column(0, product, Product).Concat(Column(1, bare, BareOnly)).Concat(Column(2, bareWithTimer, BareOnly))
            .Where(r => r.Value >= 0.05)
            .GroupBy(r => (Place: r.Key.Source == ProductStore ? ProductStore : "engine", r.Key.Service, r.Key.Resource, r.Key.Operation))
            .OrderBy(g => g.Key.Place == ProductStore ? 1 : 0).ThenBy(g => g.Key.Service).ThenBy(g => g.Key.Resource, StringComparer.Ordinal).ThenBy(g => g.Key.Operation, StringComparer.Ordinal);
        o.WriteLine($"| {title}: where | service | resource | operation | product | bare engine |{(columns == 3 ? " bare engine, timer shape |" : "")}");
        o.WriteLine($"|---|---|---|---|---|---|{(columns == 3 ? "---|" : "")}");
        var format = perHour ? "0" : "0.00";
        foreach (var g in rows)
        {
            var cells = Enumerable.Range(0, columns).Select(c => g.Where(r => r.Column == c).Sum(r => r.Value))
                .Select(v => v == 0 ? "-" : v.ToString(format, CultureInfo.InvariantCulture));
            o.WriteLine($"| {g.Key.Place} | {g.Key.Service.ToString().ToLowerInvariant()} | {g.Key.Resource} | {g.Key.Operation} | {string.Join(" | ", cells)} |");
        }
        o.WriteLine();
    }

    private static void PrintBatches(TextWriter o, StorageWindow product)
    {
        o.WriteLine("| product store `$batch` requests, notified path: rows written together | per order |");
        o.WriteLine("|---|---|");
        foreach (var (key, count) in product.Counts.Batches.Where(e => e.Key.Source == ProductStore).OrderByDescending(e => e.Value))
        {
            o.WriteLine($"| {key.Rows} | {count / (double)product.Orders:0.00} |");
        }
        o.WriteLine();
    }
}
