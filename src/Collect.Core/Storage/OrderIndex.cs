using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Collect.Core.Events;
using Collect.Core.Orders;
using Microsoft.Extensions.Options;

namespace Collect.Core.Storage;

/// <summary>One row of the <see cref="OrderIndex"/>: an order the sweep must look at once <see cref="DueAt"/> has passed.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="DueAt">When the sweep looks at it next.</param>
/// <param name="Restarts">Orchestration restarts the sweep made for the order.</param>
/// <param name="Requeries">Queries the sweep made after the order expired.</param>
public sealed record SweepEntry(string OrderId, DateTimeOffset DueAt, int Restarts = 0, int Requeries = 0)
{
    /// <summary>Row key: due time in UTC ticks (19 digits, so rows sort by time) and the orderId.</summary>
    public string RowKey => $"{DueAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{OrderId}";
}

/// <summary>
/// The reconciliation sweep's work list (index table, one partition <c>due</c>): a row per order that is not known to
/// be settled, keyed by when the sweep must look at it next. A run reads only the rows that are due (a key-range query),
/// never the orders table, so its cost follows the orders that need attention, not the orders stored.
/// </summary>
/// <remarks>
/// Written ahead: create adds an order's row before it inserts the order, so no order can exist without one. Rows are
/// hints, not truth: the sweep reads the order and decides, and moves a row by adding the new one before deleting the
/// old, so a crash leaves a duplicate (harmless) rather than a gap. Final orders lose their row at their next visit.
/// </remarks>
public sealed class OrderIndex
{
    public const string DuePartition = "due";

    /// <summary>
    /// Storefront events written but perhaps not yet handed to a delivery (RowKey <c>{due ticks}|{orderId}|{sequence:D6}</c>),
    /// written ahead of the write that creates the event; the sweep starts any delivery that is missing and drops the row.
    /// </summary>
    public const string EventsDuePartition = "events-due";

    /// <summary>Storefront events whose every scheduled attempt failed (RowKey <c>{orderId}|{sequence:D6}</c>).</summary>
    public const string UndeliveredPartition = "undelivered";

    /// <summary>Every order once, newest first (RowKey: inverted creation ticks and the orderId): "today's orders".</summary>
    public const string CreatedPartition = "created";

    /// <summary>
    /// The customer-data retention job's state: the watermark row (orders created before it are done) and a
    /// <c>held|{orderId}</c> row per order kept past the period because it was not ended yet (NeedsReview, waiting).
    /// </summary>
    public const string RetentionPartition = "retention";
    private const string RetentionWatermarkRow = "customer-data-watermark";
    private const string RetentionHeldPrefix = "held|";

    /// <summary>
    /// The listing partition of a status: <c>status-{Status}</c>, with Pending and AwaitingPayment together in
    /// <c>status-Open</c> (so "not final past deadline" is one key range). Rows are hints kept newest first; a listing
    /// reads the order rows and drops any row a crash left behind.
    /// </summary>
    public static string StatusPartition(OrderStatus status) => "status-" + (status.IsWaiting() ? "Open" : status.ToString());

    /// <summary>Listing row key: newest first, then orderId.</summary>
    public static string ListKey(DateTimeOffset createdAt, string orderId) =>
        $"{(DateTime.MaxValue.Ticks - createdAt.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}|{orderId}";

    /// <summary>Lists an order under <paramref name="partition"/> (upsert; a row carries only the orderId).</summary>
    public async Task ListAsync(string partition, Order order, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        await _index.UpsertEntityAsync(new TableEntity(partition, ListKey(order.CreatedAt, order.OrderId)) { ["OrderId"] = order.OrderId },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task UnlistAsync(string partition, Order order, CancellationToken cancellationToken = default)
    {
        await DeleteIfPresentAsync(partition, ListKey(order.CreatedAt, order.OrderId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A page of orderIds listed under <paramref name="partition"/>, newest first, created in [<paramref name="from"/>,
    /// <paramref name="to"/>), after <paramref name="continuation"/>; the continuation of the next page, or null.
    /// </summary>
    public async Task<(IReadOnlyList<string> OrderIds, string? Continuation)> PageAsync(
        string partition, DateTimeOffset? from, DateTimeOffset? to, int limit, string? continuation, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var lower = to is { } end ? Inverted(end.UtcTicks) + 1 : 0;
        var upper = from is { } start ? Inverted(start.UtcTicks) + 1 : long.MaxValue;
        var after = continuation ?? "";
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {Ticks(lower)} and RowKey lt {Ticks(upper)} and RowKey gt {after}");
        var ids = new List<string>();
        string? last = null;
        await foreach (var row in _index.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            if (ids.Count == limit)
            {
                return (ids, last);
            }
            ids.Add(row.GetString("OrderId"));
            last = row.RowKey;
        }
        return (ids, null);
    }

    /// <summary>Orders created before this time have had their customer data handled; null before the first run.</summary>
    public async Task<DateTimeOffset?> RetentionWatermarkAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var row = await _index.GetEntityIfExistsAsync<TableEntity>(RetentionPartition, RetentionWatermarkRow, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetDateTimeOffset("DoneBefore") : null;
    }

    public async Task SetRetentionWatermarkAsync(DateTimeOffset doneBefore, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        await _index.UpsertEntityAsync(new TableEntity(RetentionPartition, RetentionWatermarkRow) { ["DoneBefore"] = doneBefore },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Remembers an order whose customer data is due but kept until it ends.</summary>
    public async Task HoldForRetentionAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        await _index.UpsertEntityAsync(new TableEntity(RetentionPartition, RetentionHeldPrefix + orderId) { ["OrderId"] = orderId },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>At most <paramref name="max"/> orders held by <see cref="HoldForRetentionAsync"/>.</summary>
    public async Task<IReadOnlyList<string>> RetentionHeldAsync(int max, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        return await TakeAsync(TableClient.CreateQueryFilter(
                $"PartitionKey eq {RetentionPartition} and RowKey ge {RetentionHeldPrefix} and RowKey lt {"held}"}"), max,
            row => row.GetString("OrderId"), cancellationToken).ConfigureAwait(false);
    }

    public async Task ReleaseRetentionHoldAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await DeleteIfPresentAsync(RetentionPartition, RetentionHeldPrefix + orderId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first <paramref name="max"/> rows matching <paramref name="filter"/> (key order), each mapped by <paramref name="select"/>.</summary>
    private async Task<IReadOnlyList<T>> TakeAsync<T>(string filter, int max, Func<TableEntity, T> select, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await foreach (var row in _index.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            rows.Add(select(row));
            if (rows.Count >= max)
            {
                break;
            }
        }
        return rows;
    }

    /// <summary>Deletes a row; one that is gone already is fine.</summary>
    private async Task DeleteIfPresentAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        try
        {
            await _index.DeleteEntityAsync(partition, rowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    private static long Inverted(long ticks) => DateTime.MaxValue.Ticks - ticks;

    private static string Ticks(long value) => Math.Clamp(value, 0, long.MaxValue).ToString("D19", CultureInfo.InvariantCulture);

    private readonly TableClient _index;
    private readonly Lock _initLock = new();
    private Task? _tableReady;

    public OrderIndex(TableServiceClient service, IOptions<CollectOptions> options)
    {
        _index = service.GetTableClient(options.Value.IndexTable);
    }

    public Task EnsureTableAsync()
    {
        lock (_initLock)
        {
            if (_tableReady is null || _tableReady.IsFaulted || _tableReady.IsCanceled)
            {
                _tableReady = _index.CreateIfNotExistsAsync();
            }
            return _tableReady;
        }
    }

    /// <summary>Adds (or overwrites) the row of <paramref name="entry"/>.</summary>
    public async Task AddAsync(SweepEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        await _index.UpsertEntityAsync(new TableEntity(DuePartition, entry.RowKey)
        {
            ["OrderId"] = entry.OrderId,
            ["DueAt"] = entry.DueAt,
            ["Restarts"] = entry.Restarts,
            ["Requeries"] = entry.Requeries,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the row of <paramref name="entry"/> (nothing when it is gone already).</summary>
    public async Task RemoveAsync(SweepEntry entry, CancellationToken cancellationToken = default)
    {
        await DeleteIfPresentAsync(DuePartition, entry.RowKey, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces <paramref name="entry"/> by <paramref name="moved"/>: the new row first, then the old one goes.</summary>
    public async Task<SweepEntry> MoveAsync(SweepEntry entry, SweepEntry moved, CancellationToken cancellationToken = default)
    {
        if (moved == entry)
        {
            return entry;
        }
        await AddAsync(moved, cancellationToken).ConfigureAwait(false);
        if (moved.RowKey != entry.RowKey)
        {
            await RemoveAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        return moved;
    }

    /// <summary>
    /// The due time a write-ahead uses for <paramref name="time"/>: the next whole minute, so the create's row and the rows
    /// its first status changes write ahead mostly fall on one key (one visit, not several).
    /// </summary>
    public static DateTimeOffset Slot(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute + TimeSpan.TicksPerMinute, TimeSpan.Zero);

    /// <summary>At most <paramref name="max"/> rows due at or before <paramref name="now"/>, earliest first.</summary>
    public async Task<IReadOnlyList<SweepEntry>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var upTo = (now.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);
        return await TakeAsync(TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and RowKey lt {upTo}"), max, FromRow,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every row for one order (tests and operations; a partition scan, not for hot paths).</summary>
    public async Task<IReadOnlyList<SweepEntry>> ForOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var rows = new List<SweepEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and OrderId eq {orderId}");
        await foreach (var row in _index.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(FromRow(row));
        }
        return rows;
    }

    public async Task AddEventDueAsync(string orderId, int sequence, DateTimeOffset dueAt, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var key = $"{dueAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}|{orderId}|{sequence.ToString("D6", CultureInfo.InvariantCulture)}";
        await _index.UpsertEntityAsync(new TableEntity(EventsDuePartition, key) { ["OrderId"] = orderId, ["Sequence"] = sequence },
            TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Event rows due by <paramref name="now"/>, earliest first: (row key, orderId, sequence, due).</summary>
    public async Task<IReadOnlyList<(string Key, string OrderId, int Sequence, DateTimeOffset DueAt)>> EventsDueAsync(
        DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var upTo = (now.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);
        return await TakeAsync(TableClient.CreateQueryFilter($"PartitionKey eq {EventsDuePartition} and RowKey lt {upTo}"), max,
            row => (row.RowKey, row.GetString("OrderId"), row.GetInt32("Sequence") ?? 0,
                new DateTimeOffset(long.Parse(row.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveEventDueAsync(string key, CancellationToken cancellationToken = default)
    {
        await DeleteIfPresentAsync(EventsDuePartition, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists an event whose delivery gave up (operators redeliver from this list).</summary>
    public async Task AddUndeliveredAsync(OrderEvent orderEvent, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        await _index.UpsertEntityAsync(new TableEntity(UndeliveredPartition, UndeliveredKey(orderEvent.OrderId, orderEvent.Sequence))
        {
            ["OrderId"] = orderEvent.OrderId,
            ["Sequence"] = orderEvent.Sequence,
            ["Type"] = orderEvent.Type,
            ["LastResult"] = orderEvent.LastResult,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveUndeliveredAsync(OrderEvent orderEvent, CancellationToken cancellationToken = default)
    {
        await DeleteIfPresentAsync(UndeliveredPartition, UndeliveredKey(orderEvent.OrderId, orderEvent.Sequence), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Undelivered events (orderId, sequence), at most <paramref name="max"/> (one partition query).</summary>
    public async Task<IReadOnlyList<(string OrderId, int Sequence)>> UndeliveredAsync(int max, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        return await TakeAsync(TableClient.CreateQueryFilter($"PartitionKey eq {UndeliveredPartition}"), max,
            row => (row.GetString("OrderId"), row.GetInt32("Sequence") ?? 0), cancellationToken).ConfigureAwait(false);
    }

    private static string UndeliveredKey(string orderId, int sequence) =>
        $"{orderId}|{sequence.ToString("D6", CultureInfo.InvariantCulture)}";

    /// <summary>The due time comes from the row key itself (exact ticks), so the row can always be found again.</summary>
    private static SweepEntry FromRow(TableEntity row) => new(
        row.GetString("OrderId"),
        new DateTimeOffset(long.Parse(row.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero),
        row.GetInt32("Restarts") ?? 0,
        row.GetInt32("Requeries") ?? 0);
}
