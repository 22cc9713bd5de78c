using System.Globalization;
using Azure.Data.Tables;

namespace Collect.Benchmark;

/// <summary>
/// Where the time from create to payUrl goes, per order, from timestamps that are already stored: the client's own
/// clock (start, payUrl seen), the order row and its audit rows (the time the product stamped on each entry, and the
/// time Azurite committed it: the entity's Timestamp), and the task hub's Instances and History rows (the time the
/// engine stamped on each history event). One machine, one clock. The segments of one order add up to its create →
/// payUrl exactly; their p50s need not add up to the p50 of the whole.
/// </summary>
public static class LatencyBreakdown
{
    public static readonly string[] ProductSegments =
    [
        "request read + validation (client start → order stamped)",
        "work-list row, two listing rows, order + audit insert",
        "schedule the orchestration (→ instance created)",
        "engine pick-up (→ first episode starts)",
        "episode → apply activity running (history, work item, dispatch, row read)",
        "apply attempt recorded (order + audit batch)",
        "HaiPay apply round trip (signed request to the sandbox and its answer)",
        "row update (events-due and listing rows, then the order + audit + event batch)",
        "create handler notices (handed the commit in this process; a row read after 200 ms otherwise) and answers",
    ];

    public static readonly string[] BareSegments =
    [
        "schedule the orchestration (→ instance created)",
        "engine pick-up (→ first episode starts)",
        "episode → activity completed (history, work item, dispatch)",
        "activity completed → second episode starts",
        "second episode (custom status) → client notices (200 ms poll)",
    ];

    /// <summary>Segments per product order, in <see cref="ProductSegments"/> order; orders whose rows are incomplete are left out.</summary>
    public static async Task<List<TimeSpan[]>> ProductAsync(string connectionString, string taskHub, LoadResult run)
    {
        var orders = new TableClient(connectionString, "orders");
        var instances = new TableClient(connectionString, taskHub + "Instances");
        var history = new TableClient(connectionString, taskHub + "History");
        var result = new List<TimeSpan[]>();
        foreach (var outcome in run.Outcomes.Where(o => o.ToPayUrl is not null))
        {
            DateTimeOffset? stamped = null, inserted = null, attemptAt = null, attemptWritten = null, acceptedAt = null, acceptedWritten = null;
            await foreach (var row in orders.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {outcome.OrderId}")))
            {
                if (row.RowKey == "order")
                {
                    stamped = row.GetDateTimeOffset("CreatedAt");
                }
                else if (row.RowKey.StartsWith("audit-", StringComparison.Ordinal))
                {
                    var (kind, reason, detail) = (row.GetString("Kind"), row.GetString("Reason"), row.GetString("Detail"));
                    if (kind == "Transition" && reason == "created")
                    {
                        inserted = row.Timestamp;
                    }
                    else if (kind == "Apply" && detail == "attempt 1 sent")
                    {
                        (attemptAt, attemptWritten) = (row.GetDateTimeOffset("At"), row.Timestamp);
                    }
                    else if (kind == "Apply" && detail == "accepted")
                    {
                        (acceptedAt, acceptedWritten) = (row.GetDateTimeOffset("At"), row.Timestamp);
                    }
                }
            }
            var (created, episodes, _) = await EngineTimesAsync(instances, history, outcome.OrderId);
            DateTimeOffset?[] marks = [outcome.StartedAt, stamped, inserted, created, episodes.FirstOrDefault(), attemptAt, attemptWritten, acceptedAt, acceptedWritten, outcome.StartedAt + outcome.ToPayUrl];
            if (marks.All(m => m is not null))
            {
                result.Add(Segments(marks));
            }
        }
        return result;
    }

    /// <summary>Segments per bare orchestration, in <see cref="BareSegments"/> order.</summary>
    public static async Task<List<TimeSpan[]>> BareAsync(string connectionString, LoadResult run)
    {
        var instances = new TableClient(connectionString, BareEngine.TaskHub + "Instances");
        var history = new TableClient(connectionString, BareEngine.TaskHub + "History");
        var result = new List<TimeSpan[]>();
        foreach (var outcome in run.Outcomes.Where(o => o.ToPayUrl is not null))
        {
            var (created, episodes, activityDone) = await EngineTimesAsync(instances, history, outcome.OrderId);
            DateTimeOffset?[] marks = [outcome.StartedAt, created, episodes.ElementAtOrDefault(0), activityDone, episodes.ElementAtOrDefault(1), outcome.StartedAt + outcome.ToPayUrl];
            if (marks.All(m => m is not null))
            {
                result.Add(Segments(marks));
            }
        }
        return result;
    }

    /// <summary>One orchestration's History rows: event type, the engine's stamp and Azurite's commit time, relative to the client's start of <paramref name="outcome"/>.</summary>
    public static async Task<string> TimelineAsync(string connectionString, string taskHub, OrderOutcome outcome)
    {
        var history = new TableClient(connectionString, taskHub + "History");
        var instance = await new TableClient(connectionString, taskHub + "Instances").GetEntityIfExistsAsync<TableEntity>(outcome.OrderId, "");
        var lines = new List<(double At, string Text)>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {outcome.OrderId}")))
        {
            var stamp = row.GetDateTimeOffset("_Timestamp");
            lines.Add(((stamp ?? row.Timestamp!.Value).Subtract(outcome.StartedAt).TotalMilliseconds,
                $"{row.GetString("EventType") ?? row.RowKey}: stamped {Ms(stamp, outcome)}, committed {Ms(row.Timestamp, outcome)}"));
        }
        var text = string.Join("; ", lines.OrderBy(l => l.At).Select(l => l.Text));
        return $"{outcome.OrderId}: created {Ms(instance.HasValue ? instance.Value!.GetDateTimeOffset("CreatedTime") : null, outcome)}, payUrl seen {outcome.ToPayUrl?.TotalMilliseconds:0} ms; {text}";
    }

    private static string Ms(DateTimeOffset? at, OrderOutcome outcome) => at is null ? "-" : $"{(at.Value - outcome.StartedAt).TotalMilliseconds:0} ms";

    /// <summary>Instance created; the start of each episode (OrchestratorStarted), oldest first; the first TaskCompleted.</summary>
    private static async Task<(DateTimeOffset? Created, List<DateTimeOffset?> Episodes, DateTimeOffset? FirstActivityDone)> EngineTimesAsync(
        TableClient instances, TableClient history, string instanceId)
    {
        var instance = await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, "");
        var created = instance.HasValue ? instance.Value!.GetDateTimeOffset("CreatedTime") : null;
        var events = new List<(DateTimeOffset At, string Type)>();
        await foreach (var row in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {instanceId}")))
        {
            if ((row.GetDateTimeOffset("_Timestamp") ?? row.GetDateTimeOffset("Timestamp")) is { } at && row.GetString("EventType") is { } type)
            {
                events.Add((at, type));
            }
        }
        events.Sort((a, b) => a.At.CompareTo(b.At));
        var episodes = events.Where(e => e.Type == "OrchestratorStarted").Select(e => (DateTimeOffset?)e.At).ToList();
        var done = events.Where(e => e.Type == "TaskCompleted").Select(e => (DateTimeOffset?)e.At).FirstOrDefault();
        return (created, episodes, done);
    }

    private static TimeSpan[] Segments(DateTimeOffset?[] marks) =>
        Enumerable.Range(1, marks.Length - 1).Select(i => marks[i]!.Value - marks[i - 1]!.Value).ToArray();

    public static void Print(TextWriter o, string title, string[] names, List<TimeSpan[]> orders)
    {
        o.WriteLine($"| {title} ({orders.Count} orders) | p50 | p95 | mean |");
        o.WriteLine("|---|---|---|---|");
        for (var i = 0; i < names.Length; i++)
        {
            var values = new Percentiles(orders.Select(s => s[i]));
            var mean = orders.Count == 0 ? 0 : orders.Average(s => s[i].TotalMilliseconds);
            o.WriteLine($"| {names[i]} | {values[50].TotalMilliseconds:0} ms | {values[95].TotalMilliseconds:0} ms | {mean.ToString("0", CultureInfo.InvariantCulture)} ms |");
        }
        var total = new Percentiles(orders.Select(s => s.Aggregate(TimeSpan.Zero, (a, b) => a + b)));
        var totalMean = orders.Count == 0 ? 0 : orders.Average(s => s.Sum(x => x.TotalMilliseconds));
        o.WriteLine($"| **create → payUrl** | {total[50].TotalMilliseconds:0} ms | {total[95].TotalMilliseconds:0} ms | {totalMean.ToString("0", CultureInfo.InvariantCulture)} ms |");
        o.WriteLine();
    }
}
