using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Collect.Core.Storage;

/// <summary>One row of the <see cref="SweepIndex"/>: an order the sweep must look at once <see cref="DueAt"/> has passed.</summary>
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
public sealed class SweepIndex
{
    public const string DuePartition = "due";

    private readonly TableClient _index;
    private readonly Lock _initLock = new();
    private Task? _tableReady;

    public SweepIndex(TableServiceClient service, IOptions<CollectOptions> options)
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
        await EnsureTableAsync().ConfigureAwait(false);
        try
        {
            await _index.DeleteEntityAsync(DuePartition, entry.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
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

    /// <summary>At most <paramref name="max"/> rows due at or before <paramref name="now"/>, earliest first.</summary>
    public async Task<IReadOnlyList<SweepEntry>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync().ConfigureAwait(false);
        var upTo = (now.UtcTicks + 1).ToString("D19", CultureInfo.InvariantCulture);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and RowKey lt {upTo}");
        var due = new List<SweepEntry>();
        await foreach (var row in _index.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            due.Add(FromRow(row));
            if (due.Count >= max)
            {
                break;
            }
        }
        return due;
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

    /// <summary>The due time comes from the row key itself (exact ticks), so the row can always be found again.</summary>
    private static SweepEntry FromRow(TableEntity row) => new(
        row.GetString("OrderId"),
        new DateTimeOffset(long.Parse(row.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero),
        row.GetInt32("Restarts") ?? 0,
        row.GetInt32("Requeries") ?? 0);
}
